import type Database from 'better-sqlite3';
import { DEFAULT_POLICY, type ExportPolicy } from './export-policy.js';

/** A recorded decision not to publish: blocked by policy, or sent to the DLQ. */
export interface ExportDecision {
  event_id: string;
  tenant_id: string;
  agent_id: string;
  decision: 'blocked' | 'dlq';
  clause_id: string;
  reason: string;
  at: string;
}

/**
 * The exporter's durable state beside the change-log in the same SQLite file: the cursor (advanced
 * only after the broker's ack), per-tenant export policies, and the decisions not to publish.
 */
export class ExportState {
  private readonly policies = new Map<string, ExportPolicy>();
  private readonly stmt;

  constructor(db: Database.Database) {
    this.stmt = {
      getCursor: db.prepare('SELECT seq FROM export_cursor WHERE name = ?'),
      setCursor: db.prepare(
        'INSERT INTO export_cursor (name, seq) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET seq = MAX(seq, excluded.seq)',
      ),
      getPolicy: db.prepare('SELECT allow_sensitive, redact_patterns FROM export_policy WHERE tenant_id = ?'),
      setPolicy: db.prepare(
        `INSERT INTO export_policy (tenant_id, allow_sensitive, redact_patterns) VALUES (?, ?, ?)
         ON CONFLICT (tenant_id) DO UPDATE SET allow_sensitive = excluded.allow_sensitive, redact_patterns = excluded.redact_patterns`,
      ),
      record: db.prepare(
        `INSERT OR IGNORE INTO export_decisions (event_id, tenant_id, agent_id, decision, clause_id, reason, at)
         VALUES (@event_id, @tenant_id, @agent_id, @decision, @clause_id, @reason, @at)`,
      ),
      decisions: db.prepare(
        'SELECT event_id, tenant_id, agent_id, decision, clause_id, reason, at FROM export_decisions ORDER BY id',
      ),
      counts: db.prepare('SELECT decision, COUNT(*) AS n FROM export_decisions GROUP BY decision'),
      // Earlier change-log entries of the episode that the gate did not block (it records blocks
      // synchronously, in change-log order, so entries ahead of `seq` are all decided).
      exportedBefore: db.prepare(
        `SELECT 1 FROM change_log c WHERE c.seq < @seq AND c.tenant_id = @tenant_id AND c.agent_id = @agent_id
           AND c.episode_id = @episode_id
           AND NOT EXISTS (SELECT 1 FROM export_decisions d WHERE d.event_id = c.event_id AND d.decision = 'blocked')
         LIMIT 1`,
      ),
    };
  }

  /**
   * Whether an earlier event of this entry's episode was (or is being) published: the exporter
   * asks for sensitive deletes only, which then leave as references (applyExportPolicy).
   */
  exportedBefore(entry: { seq: number; tenant_id: string; agent_id: string; episode_id: string }): boolean {
    const { seq, tenant_id, agent_id, episode_id } = entry;
    return this.stmt.exportedBefore.get({ seq, tenant_id, agent_id, episode_id }) !== undefined;
  }

  cursor(name = 'exporter'): number {
    return (this.stmt.getCursor.get(name) as { seq: number } | undefined)?.seq ?? 0;
  }

  /** Moves the cursor forward (never back: a late writer cannot rewind it). */
  advance(seq: number, name = 'exporter'): void {
    this.stmt.setCursor.run(name, seq);
  }

  policy(tenantId: string): ExportPolicy {
    const cached = this.policies.get(tenantId);
    if (cached) return cached;
    const row = this.stmt.getPolicy.get(tenantId) as
      { allow_sensitive: number; redact_patterns: string } | undefined;
    const policy = row
      ? {
          allow_sensitive: row.allow_sensitive === 1,
          redact_patterns: JSON.parse(row.redact_patterns) as string[],
        }
      : DEFAULT_POLICY;
    this.policies.set(tenantId, policy);
    return policy;
  }

  setPolicy(tenantId: string, policy: ExportPolicy): void {
    this.stmt.setPolicy.run(tenantId, policy.allow_sensitive ? 1 : 0, JSON.stringify(policy.redact_patterns));
    this.policies.set(tenantId, policy);
  }

  /** Records a decision once per (event, decision); false when it was already recorded (a replay). */
  record(decision: ExportDecision): boolean {
    return this.stmt.record.run(decision).changes > 0;
  }

  decisions(): ExportDecision[] {
    return this.stmt.decisions.all() as ExportDecision[];
  }

  /** How many events were blocked and how many went to the DLQ, over the store's lifetime. */
  decisionCounts(): { blocked: number; dlq: number } {
    const out = { blocked: 0, dlq: 0 };
    for (const r of this.stmt.counts.all() as { decision: 'blocked' | 'dlq'; n: number }[])
      out[r.decision] = r.n;
    return out;
  }
}
