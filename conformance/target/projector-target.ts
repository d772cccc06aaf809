import { headers } from '@nats-io/transport-node';
import type { JetStreamClient } from '@nats-io/jetstream';
import type { Observer } from './observer.js';
import type { Observation } from './observation.js';
import type { SupervisedChild } from '../../harness/child/index.js';
import type { Schedule, ScheduleMessage } from '../streams/schedule.js';

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
  pollMs: 100,
  stableMs: 500,
  giveUpMs: 3000,
  redeliveryWaitMs: 35_000,
  maxMs: 60_000,
};

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

function expectations(messages: ScheduleMessage[]): { events: number; dlq: number } {
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
  ) {}

  get canCrash(): boolean {
    return this.projector !== undefined;
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
    let crashedSinceSettle = false;
    for (const [index, step] of schedule.steps.entries()) {
      if (step.op === 'publish') {
        const outcome = await this.publish(step.message, out);
        if (outcome === 'stored') published.push(step.message);
        else out[outcome].push(index);
      } else if (step.op === 'crash') {
        if (this.projector === undefined)
          throw new Error('schedule has a crash step but no --projector-cmd was given');
        await this.projector.crash();
        crashedSinceSettle = true;
        out.crashed = true;
      } else {
        await this.waitQuiescent(token, expectations(published), crashedSinceSettle);
        crashedSinceSettle = false;
        out.observations.push(await this.observer.observe(token, tenants, episodeIds));
      }
    }
    return out;
  }

  /**
   * Publishes and waits for the JetStream ack: 'refused' when the stream refuses the message for
   * its size, 'deduplicated' when the ack says the stream already holds its msg id.
   */
  private async publish(m: ScheduleMessage, out: Execution): Promise<'stored' | 'refused' | 'deduplicated'> {
    const h = headers();
    if (m.msgId !== undefined) h.set('Nats-Msg-Id', m.msgId);
    const started = performance.now();
    const at = Date.now();
    let duplicate: boolean;
    try {
      duplicate = (await this.js.publish(m.subject, m.data, { headers: h })).duplicate;
    } catch (error) {
      if (m.kind !== 'valid' && /size|payload/i.test((error as Error).message)) return 'refused';
      throw error;
    }
    out.publishMs.push(performance.now() - started);
    out.events++;
    if (duplicate) return 'deduplicated';
    if (m.kind === 'valid') {
      const e = JSON.parse(m.data) as { tenant_id: string; agent_id: string; event_id: string };
      const key = `${e.tenant_id}/${e.agent_id}/${e.event_id}`;
      if (!out.firstPublishAt.has(key)) out.firstPublishAt.set(key, at);
    }
    return 'stored';
  }

  private async waitQuiescent(
    token: string,
    expect: { events: number; dlq: number },
    crashed: boolean,
  ): Promise<void> {
    const s = this.settle;
    const started = Date.now();
    let last = '';
    let since = Date.now();
    const giveUp = crashed ? Math.max(s.giveUpMs, s.redeliveryWaitMs) : s.giveUpMs;
    while (Date.now() - started < s.maxMs) {
      const counts = await this.observer.counts(token);
      if (counts !== last) {
        last = counts;
        since = Date.now();
      }
      const [e, d] = counts.split('/').map((x) => Number.parseInt(x, 10));
      const complete = (e ?? 0) >= expect.events && (d ?? 0) >= expect.dlq;
      const quiet = Date.now() - since;
      if (complete && quiet >= s.stableMs && !(crashed && Date.now() - started < s.stableMs * 2)) return;
      if (!complete && quiet >= giveUp) return;
      await new Promise((r) => setTimeout(r, s.pollMs));
    }
  }
}
