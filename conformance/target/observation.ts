/** What the kit reads back from a deployment after a schedule, for the run's tenants only. */

/** A projection row as read, with `last_event_ts` canonical (6 fractional digits) and `updated_at`. */
export interface ObservedRow {
  tenant_id: string;
  agent_id: string;
  episode_id: string;
  event_type: string;
  content_ref: string;
  summary: string | null;
  tags: unknown;
  embedding_ref: string | null;
  metadata: unknown;
  last_event_id: string;
  last_event_ts: string;
  deleted: boolean;
  updated_at: string;
}

export interface ObservedEventRecord {
  tenant_id: string;
  agent_id: string;
  event_id: string;
  episode_id: string;
  outcome: string | null;
  projected_at: string;
}

export interface ObservedDlqRow {
  dlq_id: string;
  reason: string;
  clause_id: string | null;
  tenant_id: string | null;
  agent_id: string | null;
  subject: string | null;
  raw: string | null;
  event: unknown;
  /** The event column holds a value (jsonb 'null' reads back as null too, so `event` cannot tell). */
  event_present?: boolean;
}

export interface ObservedDlqMessage {
  subject: string;
  data: string;
}

export interface ObservedKey {
  key: string;
  type: string;
  /** Milliseconds; -1 no TTL. */
  pttl: number;
  value: string | null;
}

export interface Observation {
  rows: ObservedRow[];
  events: ObservedEventRecord[];
  dlqRows: ObservedDlqRow[];
  dlqMessages: ObservedDlqMessage[];
  keys: ObservedKey[];
}
