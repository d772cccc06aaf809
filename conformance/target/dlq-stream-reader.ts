import { DeliverPolicy } from '@nats-io/jetstream';
import type { JetStreamClient } from '@nats-io/jetstream';
import { CONTRACT, parseDlqSubject } from 'continuum-contract';
import type { ObservedDlqMessage } from './observation.js';

/** Tokens of the runs in flight: `ck` and ten hex digits (see streams/bind-schedule.ts). */
export const TOKEN_PATTERN = /ck[0-9a-f]{10}/g;

export function tokensIn(text: string): string[] {
  return text.toLowerCase().match(TOKEN_PATTERN) ?? [];
}

/**
 * Reads the DLQ stream once for every run in flight: from where it stood when the first run
 * began, each read fetches only the messages added since, and files each under the run whose
 * tenant the subject names (or, for the reserved `_invalid` scope, whose token the body holds).
 */
export class DlqStreamReader {
  private cursor: number | undefined;
  private readonly byToken = new Map<string, ObservedDlqMessage[]>();
  private readonly tenantToken = new Map<string, string>();

  constructor(private readonly js: JetStreamClient) {}

  /** Registers a run before it publishes anything; the first call fixes where reading starts. */
  async begin(token: string, tenants: string[]): Promise<void> {
    if (this.cursor === undefined) {
      const jsm = await this.js.jetstreamManager();
      try {
        const info = await jsm.streams.info(CONTRACT.streams.dlq.name);
        this.cursor ??= info.state.last_seq;
      } catch {
        this.cursor ??= 0; // no DLQ stream yet: read from its start once it exists
      }
    }
    this.byToken.set(token, []);
    for (const t of tenants) this.tenantToken.set(t, token);
  }

  /** Forgets a finished run (its messages are not kept). */
  end(token: string, tenants: string[]): void {
    this.byToken.delete(token);
    for (const t of tenants) this.tenantToken.delete(t);
  }

  /** Every DLQ message filed under `token` so far. */
  messagesOf(token: string): ObservedDlqMessage[] {
    return [...(this.byToken.get(token) ?? [])];
  }

  /** Fetches what the stream gained since the last read. */
  async catchUp(): Promise<void> {
    let last: number;
    try {
      const jsm = await this.js.jetstreamManager();
      last = (await jsm.streams.info(CONTRACT.streams.dlq.name)).state.last_seq;
    } catch {
      return; // no DLQ stream: nothing there, which the DLQ checks report
    }
    const from = (this.cursor ?? 0) + 1;
    if (last < from) return;
    const consumer = await this.js.consumers.get(CONTRACT.streams.dlq.name, {
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: from,
    });
    const batch = await consumer.fetch({ max_messages: last - from + 1, expires: 3000 });
    for await (const m of batch) {
      this.file({ subject: m.subject, data: m.string() });
      this.cursor = m.seq;
      if (m.seq >= last) break;
    }
  }

  private file(m: ObservedDlqMessage): void {
    const parsed = parseDlqSubject(m.subject);
    if (!parsed.ok) return;
    const owners =
      parsed.tenantId === CONTRACT.dlqReservedScope
        ? new Set(tokensIn(m.data))
        : new Set([this.tenantToken.get(parsed.tenantId)]);
    for (const token of owners) if (token !== undefined) this.byToken.get(token)?.push(m);
  }
}
