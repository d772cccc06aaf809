import { headers } from '@nats-io/transport-node';
import type { JetStreamClient } from '@nats-io/jetstream';
import { ConsumerProgress } from './consumer-progress.js';
import type { Observer } from './observer.js';
import type { Observation } from './observation.js';
import type { SupervisedChild } from '../../harness/child/index.js';
import type { Schedule, ScheduleMessage } from '../streams/schedule.js';
import { CONTRACT } from 'continuum-contract';

/** Timing knobs of one execution. */
export interface SettleOptions {
  pollMs: number;
  /** Counts unchanged this long, with every expected record present: quiescent. */
  stableMs: number;
  /** Counts unchanged this long with records still missing: give up waiting, observe anyway. */
  giveUpMs: number;
  /** After a crash, wait at least this long for redelivery (ack_wait of the consumer). */
  redeliveryWaitMs: number;
  /** Upper bound of one settle. */
  maxMs: number;
}

export const DEFAULT_SETTLE: SettleOptions = {
  pollMs: 25,
  stableMs: 500,
  giveUpMs: 3000,
  redeliveryWaitMs: 35_000,
  maxMs: 60_000,
};

/** Publishes of one run awaiting their acks at once. */
const PUBLISH_WINDOW = 16;

/** What one execution of a schedule produced. */
export interface Execution {
  schedule: Schedule;
  token: string;
  tenants: string[];
  /** One per `settle` step, in order. */
  observations: Observation[];
  /** Publish-to-ack latency of every publish, ms. */
  publishMs: number[];
  /** Wall-clock publish time of the first publication of each (tenant/agent/event_id). */
  firstPublishAt: Map<string, number>;
  events: number;
  crashed: boolean;
  /** Steps whose publish the broker refused (a message above the stream's max_msg_size never reaches the projector). */
  refused: number[];
  /**
   * Steps the broker acknowledged as duplicates of an earlier Nats-Msg-Id inside the stream's
   * duplicate window: stored once, so the later copy never reaches the projector either.
   */
  deduplicated: number[];
}

interface Expected {
  events: number;
  dlq: number;
}

function expectations(messages: ScheduleMessage[]): Expected {
  const ids = new Set<string>();
  let dlq = 0;
  for (const m of messages) {
    if (m.kind === 'valid') {
      const e = JSON.parse(m.data) as { tenant_id: string; agent_id: string; event_id: string };
      ids.add(`${e.tenant_id}/${e.agent_id}/${e.event_id}`);
    } else dlq++;
  }
  return { events: ids.size, dlq };
}

/**
 * Plays the producer against a black-box projector: publishes a bound schedule to the contract
 * subjects, waits for quiescence at each settle, and reads back what the run's tenants hold.
 */
export class ProjectorTarget {
  constructor(
    private readonly js: JetStreamClient,
    private readonly observer: Observer,
    private readonly settle: SettleOptions,
    private readonly projector?: SupervisedChild,
  ) {
    this.progress = new ConsumerProgress(js);
  }

  private readonly progress: ConsumerProgress;

  get canCrash(): boolean {
    return this.projector !== undefined;
  }

  /** Why the projector looks stuck: messages pending, and nothing acknowledged for `quietMs`. */
  async stalled(quietMs: number): Promise<string | undefined> {
    const before = await this.progress.current();
    if (before === undefined || before.idle) return undefined;
    await new Promise((r) => setTimeout(r, quietMs));
    const after = await this.progress.current();
    if (after === undefined || after.idle || after.ackFloor !== before.ackFloor) return undefined;
    return `the contract's durable consumer acknowledged nothing past stream sequence ${after.ackFloor} for ${quietMs} ms, while messages were waiting (delivered up to ${after.delivered})`;
  }

  async execute(
    schedule: Schedule,
    token: string,
    tenants: string[],
    episodeIds: string[],
  ): Promise<Execution> {
    const out: Execution = {
      schedule,
      token,
      tenants,
      observations: [],
      publishMs: [],
      firstPublishAt: new Map(),
      events: 0,
      crashed: false,
      refused: [],
      deduplicated: [],
    };
    const published: ScheduleMessage[] = [];
    const run: RunScope = { token, tenants, episodeIds };
    let crashedSinceSettle = false;
    let lastSeq = 0;
    await this.observer.begin(token, tenants);
    try {
      // Publishes go out in schedule order on one connection (NATS keeps a publisher's order);
      // up to PUBLISH_WINDOW await their acks at once. Every other step waits for all of them.
      let inFlight: Promise<void>[] = [];
      const drain = async (): Promise<void> => {
        await Promise.all(inFlight);
        inFlight = [];
        out.refused.sort((a, b) => a - b);
        out.deduplicated.sort((a, b) => a - b);
      };
      for (const [index, step] of schedule.steps.entries()) {
        if (step.op === 'publish') {
          inFlight.push(
            this.publish(step.message, out).then((outcome) => {
              if (outcome.seq !== undefined) lastSeq = Math.max(lastSeq, outcome.seq);
              if (outcome.kind === 'stored') published.push(step.message);
              else out[outcome.kind].push(index);
            }),
          );
          if (inFlight.length >= PUBLISH_WINDOW) await drain();
          continue;
        }
        await drain();
        if (step.op === 'crash') {
          if (this.projector === undefined)
            throw new Error('schedule has a crash step but no --projector-cmd was given');
          if (step.aim === 'ack') await this.untilAcknowledged(lastSeq, 0);
          await this.projector.crash();
          crashedSinceSettle = true;
          out.crashed = true;
        } else if (step.op === 'idle') {
          await this.untilAcknowledged(lastSeq, this.settle.pollMs);
        } else {
          out.observations.push(
            await this.settleAndObserve(run, expectations(published), lastSeq, crashedSinceSettle),
          );
          crashedSinceSettle = false;
        }
      }
      await drain();
    } finally {
      this.observer.end(token);
    }
    return out;
  }

  /**
   * Returns once the consumer's ack floor covers `seq`, or after the give-up time (no verdict
   * here). An aimed kill polls back to back (`pollMs` 0): a projector that acknowledges before
   * committing is caught only if the kill lands in the few milliseconds between the two.
   */
  private async untilAcknowledged(seq: number, pollMs: number): Promise<void> {
    const until = Date.now() + this.settle.giveUpMs;
    for (;;) {
      const p = await this.progress.current();
      if (p === undefined || ConsumerProgress.covers(p, seq) || Date.now() >= until) return;
      if (pollMs > 0) await new Promise((r) => setTimeout(r, pollMs));
    }
  }

  /**
   * Publishes and waits for the JetStream ack: 'refused' when the stream refuses the message for
   * its size, 'deduplicated' when the ack says the stream already holds its msg id.
   */
  private async publish(
    m: ScheduleMessage,
    out: Execution,
  ): Promise<{ kind: 'stored' | 'refused' | 'deduplicated'; seq?: number }> {
    const h = headers();
    if (m.msgId !== undefined) h.set(CONTRACT.headers.msgId, m.msgId);
    const started = performance.now();
    const at = Date.now();
    let duplicate: boolean;
    let seq: number;
    try {
      ({ duplicate, seq } = await this.js.publish(m.subject, m.data, { headers: h }));
    } catch (error) {
      if (m.kind !== 'valid' && /size|payload/i.test((error as Error).message)) return { kind: 'refused' };
      throw error;
    }
    out.publishMs.push(performance.now() - started);
    out.events++;
    if (duplicate) return { kind: 'deduplicated', seq };
    if (m.kind === 'valid') {
      const e = JSON.parse(m.data) as { tenant_id: string; agent_id: string; event_id: string };
      const key = `${e.tenant_id}/${e.agent_id}/${e.event_id}`;
      if (!out.firstPublishAt.has(key)) out.firstPublishAt.set(key, at);
    }
    return { kind: 'stored', seq };
  }

  /**
   * Waits until the run's messages are handled, then observes. Evidence ends the wait at once: the
   * consumer's ack floor past the run's last message and every expected record present. Quiet
   * time is the fallback only where evidence is missing: no contract consumer to read, an ack
   * floor that stopped moving, or expected records that have not appeared.
   */
  private async settleAndObserve(
    run: RunScope,
    expect: Expected,
    lastSeq: number,
    crashed: boolean,
  ): Promise<Observation> {
    const s = this.settle;
    const started = Date.now();
    const stalledAfter = crashed ? Math.max(s.giveUpMs, s.redeliveryWaitMs) : s.giveUpMs;
    let mark = '';
    let movedAt = Date.now();
    let quietMode = false;
    // Once the consumer has acknowledged the run's last message, a correct projector has committed
    // every record (ack after commit): records still missing then are never coming, and waiting
    // the give-up time for them would only slow every failing run.
    let acknowledged = false;
    for (;;) {
      const elapsed = Date.now() - started;
      let handled = false;
      if (!quietMode) {
        const p = await this.progress.current();
        handled = p !== undefined && ConsumerProgress.covers(p, lastSeq);
        acknowledged ||= handled;
        const position = p === undefined ? '' : `${p.ackFloor}/${p.delivered}`;
        if (position !== mark) [mark, movedAt] = [position, Date.now()];
        quietMode = p === undefined || (!handled && Date.now() - movedAt >= stalledAfter);
        if (quietMode) [mark, movedAt] = ['', Date.now()];
      }
      if (handled || quietMode || elapsed >= s.maxMs) {
        const obs = await this.observer.observe(run.token, run.tenants, run.episodeIds);
        const complete = obs.events.length >= expect.events && obs.dlqRows.length >= expect.dlq;
        if ((handled && complete) || elapsed >= s.maxMs) return obs;
        quietMode = true;
        const signature = observationSignature(obs);
        if (signature !== mark) [mark, movedAt] = [signature, Date.now()];
        const quiet = Date.now() - movedAt;
        if (complete && quiet >= s.stableMs && !(crashed && elapsed < s.stableMs * 2)) return obs;
        if (!complete && quiet >= (acknowledged ? s.stableMs : stalledAfter)) return obs;
      }
      await new Promise((r) => setTimeout(r, s.pollMs));
    }
  }
}

interface RunScope {
  token: string;
  tenants: string[];
  episodeIds: string[];
}

function observationSignature(o: Observation): string {
  const latest = o.rows.reduce((m, r) => (r.updated_at > m ? r.updated_at : m), '');
  return `${o.events.length}/${o.dlqRows.length}/${o.rows.length}/${latest}/${o.dlqMessages.length}`;
}
