import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type pg from 'pg';
import type { Logger } from '../logger.js';
import { deadLetterSubject } from './dead-letter.js';
import { infrastructureAnswers } from './infrastructure-probe.js';
import { backoffMs, isInfrastructureError } from './projector-errors.js';
import type { ProjectorMetrics } from './projector-metrics.js';
import type { DlqRecord } from './projection-writer.js';

/** Refusals with the services up before an entry is the bus's to refuse, not an outage. */
export const REFUSALS_BEFORE_GIVING_UP = 3;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Publishes DLQ entries after their rows committed (CT-6.dlq), retried while the bus is away.
 * An entry the bus refuses with the services up goes out without raw, then is left to the
 * table row, so no dead letter holds up the messages behind it (CT-4.poison).
 */
export class DeadLetterPublisher {
  constructor(
    private readonly nc: NatsConnection,
    private readonly pool: pg.Pool,
    private readonly metrics: ProjectorMetrics,
    private readonly log: Logger,
    /** True once the projector stops: retries are then bounded too. */
    private readonly stopping: () => boolean,
  ) {}

  async publish(dlq: readonly DlqRecord[]): Promise<void> {
    const js = jetstream(this.nc);
    for (const d of dlq) {
      let entry = d.entry;
      for (let attempt = 0, strikes = 0; ; attempt++) {
        try {
          await js.publish(deadLetterSubject(entry), JSON.stringify(entry), { msgID: `dlq:${entry.dlq_id}` });
          break;
        } catch (err) {
          this.metrics.errors.inc({ kind: 'infra' });
          if (this.stopping() && attempt >= 3) throw err;
          if (!isInfrastructureError(err) && (await infrastructureAnswers(this.nc, this.pool))) strikes++;
          if (strikes >= REFUSALS_BEFORE_GIVING_UP && entry.raw.length > 0) {
            // The table row keeps what the subject cannot take; the bus still gets the reason.
            this.log.warn({ err, dlq_id: entry.dlq_id }, 'DLQ entry refused by the bus: raw dropped');
            entry = { ...entry, raw: '', reason: `${entry.reason.slice(0, 900)} (raw refused by the bus)` };
            strikes = 0;
            continue;
          }
          if (strikes >= REFUSALS_BEFORE_GIVING_UP) {
            this.log.error({ err, dlq_id: entry.dlq_id }, 'DLQ entry refused by the bus: table row only');
            break;
          }
          this.log.warn({ err, attempt }, 'DLQ publish failed; retrying');
          await sleep(backoffMs(attempt));
        }
      }
    }
  }
}
