import { jetstream, jetstreamManager, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { durableConsumerConfig } from '../durable-consumer.js';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { CONTRACT, parseEpisodeSubject } from 'continuum-contract';
import { silentLogger, type Logger } from '../logger.js';
import { deadLetter } from './dead-letter.js';
import { DeadLetterPublisher } from './dead-letter-publisher.js';
import { EpisodeCache } from './episode-cache.js';
import { decodeMessage, type DecodedMessage, type Rejection } from './message-decoder.js';
import { phaseBehaviour, type PhaseName } from './phase.js';
import { backoffMs, isDataError, isInfrastructureError } from './projector-errors.js';
import { infrastructureAnswers } from './infrastructure-probe.js';
import { MessageBatcher } from './message-batcher.js';
import { ProjectorMetrics } from './projector-metrics.js';
import { ProjectionWriter, type DlqRecord, type WriteResult } from './projection-writer.js';
import type { PreparedEvent } from './prepared-event.js';

/** Options of a {@link Projector}. */
export interface ProjectorOptions {
  nc: NatsConnection;
  pool: pg.Pool;
  /** Required in serving phases (the cache); ignored otherwise. */
  redis?: Redis;
  /** Rollout phase (CT-10.phases); default 'alerts-enforced'. */
  phase?: PhaseName;
  /** Most messages per transaction; default 500. */
  batchSize?: number;
  /** How long to gather a partial batch once a message is waiting; default 5 ms. */
  maxWaitMs?: number;
  /** Cache TTL in seconds; default 60. */
  cacheTtlSeconds?: number;
  /** Consumer settings used only when the durable consumer does not exist yet (tests shorten ack_wait). */
  consumerOverrides?: { ackWaitMs?: number };
  metrics?: ProjectorMetrics;
  logger?: Logger;
  /** Called with each lag observation (ms, source_ts to commit), e.g. for an HDR histogram in a bench. */
  onLag?: (lagMs: number) => void;
}

/** Failures of a batch, then of one message alone, with the services up before it is the data's. */
const POISON_ATTEMPTS = 3;

type Sleep = (ms: number) => Promise<void>;
const sleep: Sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * The reference projector (Bus side): a JetStream durable pull consumer shared by any number of
 * processes, projecting batches into PostgreSQL in one transaction each, acking after commit
 * (CT-4.ack-after-commit), dead-lettering what can never be projected (CT-4.dlq), and filling
 * the Valkey cache in serving phases. `stop()` drains the in-flight batch and loses nothing.
 */
export class Projector {
  readonly metrics: ProjectorMetrics;
  readonly #o: ProjectorOptions;
  readonly #log: Logger;
  readonly #writer: ProjectionWriter;
  readonly #cache: EpisodeCache | undefined;
  readonly #batchSize: number;
  #batcher: MessageBatcher | undefined;
  /** Decoded on arrival, so validation overlaps the previous batch's database round trips. */
  readonly #decoded = new WeakMap<JsMsg, DecodedMessage>();
  #stopping = false;
  #loop: Promise<void> | undefined;
  readonly #tails = new Set<Promise<void>>();
  readonly #deadLetters: DeadLetterPublisher;

  constructor(options: ProjectorOptions) {
    this.#o = options;
    this.#log = (options.logger ?? silentLogger).child({ component: 'projector' });
    this.metrics = options.metrics ?? new ProjectorMetrics();
    this.#writer = new ProjectionWriter(options.pool);
    this.#deadLetters = new DeadLetterPublisher(
      options.nc,
      options.pool,
      this.metrics,
      this.#log,
      () => this.#stopping,
    );
    this.#batchSize = options.batchSize ?? 500;
    const { serving } = phaseBehaviour(options.phase ?? 'alerts-enforced');
    if (serving && options.redis === undefined) throw new TypeError('a serving phase needs a Valkey client');
    this.#cache =
      serving && options.redis
        ? new EpisodeCache(options.redis, this.#log, options.cacheTtlSeconds)
        : undefined;
  }

  /** Ensures the durable consumer and starts consuming (emit-only: consumes nothing). */
  async start(): Promise<void> {
    const phase = this.#o.phase ?? 'alerts-enforced';
    if (!phaseBehaviour(phase).writes) {
      this.#log.info({ phase }, 'phase projects nothing: not consuming');
      this.#loop = Promise.resolve();
      return;
    }
    const stream = CONTRACT.streams.episodes.name;
    const c = CONTRACT.consumer;
    const jsm = await jetstreamManager(this.#o.nc);
    const exists = await jsm.consumers.info(stream, c.durable_name).then(
      () => true,
      () => false,
    );
    if (!exists) {
      const ackWaitMs = this.#o.consumerOverrides?.ackWaitMs;
      await jsm.consumers.add(stream, durableConsumerConfig(ackWaitMs === undefined ? {} : { ackWaitMs }));
    }
    const consumer = await jetstream(this.#o.nc).consumers.get(stream, c.durable_name);
    this.#batcher = new MessageBatcher(consumer, {
      batchSize: this.#batchSize,
      maxWaitMs: this.#o.maxWaitMs ?? 5,
      onMessage: (m) => this.#decoded.set(m, decodeMessage(m.subject, m.data)),
      onFetchError: (err, failures) => {
        this.metrics.errors.inc({ kind: 'infra' });
        this.#log.warn({ err, failures }, 'fetch failed (NATS); retrying');
        return backoffMs(failures);
      },
    });
    this.#loop = this.#run(this.#batcher);
    this.#log.info(
      { phase, batchSize: this.#batchSize, stream, durable: c.durable_name },
      'projector started',
    );
  }

  /** Stops fetching, finishes and acks the in-flight batch, returns the rest unacked (nak). */
  async stop(): Promise<void> {
    this.#stopping = true;
    await this.#batcher?.stop();
    await this.#loop;
  }

  /** Resolves when the projector has stopped. */
  get done(): Promise<void> {
    return this.#loop ?? Promise.resolve();
  }

  async #run(batcher: MessageBatcher): Promise<void> {
    for (let batch = await batcher.next(); batch !== undefined; batch = await batcher.next()) {
      await this.#processWithRetry(batch);
    }
    await Promise.all(this.#tails);
    this.#log.info('projector stopped');
  }

  /**
   * Retries a failed batch while the infrastructure is down (nothing can progress then). Once
   * it failed {@link POISON_ATTEMPTS} times with NATS and PostgreSQL answering, the data is
   * the suspect: the messages are handled one by one so one bad message cannot hold the rest.
   */
  async #processWithRetry(batch: JsMsg[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.#process(batch);
        return;
      } catch (err) {
        this.metrics.errors.inc({ kind: 'infra' });
        if (this.#stopping) {
          this.#log.warn({ err, size: batch.length }, 'stopping with an unwritten batch: left unacked');
          for (const m of batch) m.nak();
          return;
        }
        if (
          attempt + 1 >= POISON_ATTEMPTS &&
          !isInfrastructureError(err) &&
          (await infrastructureAnswers(this.#o.nc, this.#o.pool))
        ) {
          this.#log.warn({ err, size: batch.length }, 'batch keeps failing with services up: one by one');
          await this.#processOneByOne(batch);
          return;
        }
        const wait = backoffMs(attempt);
        this.#log.warn({ err, attempt, waitMs: Math.round(wait) }, 'batch failed; retrying');
        for (const m of batch) m.working();
        await sleep(wait);
      }
    }
  }

  async #processOneByOne(batch: readonly JsMsg[]): Promise<void> {
    for (const [i, msg] of batch.entries()) {
      // Strikes count failures with the services up: an outage never dead-letters a good message.
      let strikes = 0;
      let lastError: unknown;
      for (let attempt = 0; ; attempt++) {
        try {
          await (strikes < POISON_ATTEMPTS ? this.#process([msg]) : this.#deadLetterAlone(msg, lastError));
          break;
        } catch (err) {
          this.metrics.errors.inc({ kind: 'infra' });
          if (this.#stopping) {
            for (const m of batch.slice(i)) m.nak();
            return;
          }
          if (strikes < POISON_ATTEMPTS) lastError = err;
          if (!isInfrastructureError(err) && (await infrastructureAnswers(this.#o.nc, this.#o.pool)))
            strikes++;
          this.#log.warn({ err, attempt, strikes, seq: msg.seq }, 'message failed alone; retrying');
          for (const m of batch.slice(i)) m.working();
          await sleep(backoffMs(attempt));
        }
      }
    }
  }

  /** Dead-letters a message that failed alone with the services up: raw bytes, the error as reason. */
  async #deadLetterAlone(msg: JsMsg, error: unknown): Promise<void> {
    const subject = parseEpisodeSubject(msg.subject);
    const decoded = this.#decoded.get(msg) ?? decodeMessage(msg.subject, msg.data);
    const why = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    const record = this.#deadLetter(msg, {
      reason: `projecting failed ${POISON_ATTEMPTS} times alone while NATS and PostgreSQL answered (${why})`,
      clauseId: 'CT-4.poison',
      ...(subject.ok ? { scope: { tenantId: subject.tenantId, agentId: subject.agentId } } : {}),
      ...(decoded.ok ? { parsed: decoded.prepared.event } : {}),
    });
    const result = await this.#write([], [record]);
    await this.#afterCommit([msg], [], [record], result);
  }

  async #process(batch: readonly JsMsg[]): Promise<void> {
    const prepared: { msg: JsMsg; p: PreparedEvent }[] = [];
    const dlq: DlqRecord[] = [];
    for (const msg of batch) {
      const d = this.#decoded.get(msg) ?? decodeMessage(msg.subject, msg.data);
      if (d.ok) prepared.push({ msg, p: d.prepared });
      else dlq.push(this.#deadLetter(msg, d.rejection));
    }
    let result: WriteResult;
    try {
      result = await this.#write(
        prepared.map((x) => x.p),
        dlq,
      );
    } catch (err) {
      if (!isDataError(err)) throw err;
      await this.#isolatePoison(batch, prepared, dlq);
      return;
    }
    await this.#afterCommit(batch, prepared, dlq, result);
  }

  async #write(prepared: readonly PreparedEvent[], dlq: readonly DlqRecord[]): Promise<WriteResult> {
    const cache = this.#cache;
    const result = await this.#writer.writeBatch(prepared, dlq, async (r) => {
      if (cache === undefined) return;
      // Fail open: the cache is analytics serving; a Valkey outage never blocks projection.
      await cache.write(r.rows).catch((err: unknown) => {
        this.metrics.errors.inc({ kind: 'cache' });
        this.#log.warn({ err }, 'cache write failed');
      });
    });
    // The cache write and unlock finish in the background while the next batch starts.
    this.#tails.add(result.released);
    void result.released.then(() => this.#tails.delete(result.released));
    return result;
  }

  /** A data error in a batch: write events one by one; the ones PostgreSQL refuses go to the DLQ. */
  async #isolatePoison(
    batch: readonly JsMsg[],
    prepared: { msg: JsMsg; p: PreparedEvent }[],
    dlq: DlqRecord[],
  ): Promise<void> {
    const merged: WriteResult = { outcomes: [], rows: [], committedAt: 0, released: Promise.resolve() };
    const kept: { msg: JsMsg; p: PreparedEvent }[] = [];
    for (const x of prepared) {
      try {
        const r = await this.#write([x.p], []);
        kept.push(x);
        merged.outcomes.push(...r.outcomes);
        merged.committedAt = r.committedAt;
      } catch (err) {
        if (!isDataError(err)) throw err;
        const reason = `PostgreSQL refused the event: ${(err as Error).message}`;
        dlq.push(
          this.#deadLetter(x.msg, {
            reason,
            clauseId: 'CT-4.dlq',
            parsed: x.p.event,
            scope: { tenantId: x.p.event.tenant_id, agentId: x.p.event.agent_id },
          }),
        );
      }
    }
    const r = await this.#write([], dlq);
    merged.committedAt ||= r.committedAt;
    await this.#afterCommit(batch, kept, dlq, merged);
  }

  #deadLetter(msg: JsMsg, rejection: Rejection): DlqRecord {
    return deadLetter({
      ...rejection,
      subject: msg.subject,
      data: msg.data,
      stream: msg.info.stream,
      seq: msg.seq,
      timeMs: Number(msg.info.timestampNanos) / 1e6,
    });
  }

  async #afterCommit(
    batch: readonly JsMsg[],
    prepared: readonly { msg: JsMsg; p: PreparedEvent }[],
    dlq: readonly DlqRecord[],
    result: WriteResult,
  ): Promise<void> {
    await this.#deadLetters.publish(dlq);
    for (const m of batch) m.ack();
    const counts = { projected: 0, stale: 0, duplicate: 0 };
    prepared.forEach(({ msg, p }, i) => {
      const outcome = result.outcomes[i] ?? 'duplicate';
      counts[outcome === 'applied' ? 'projected' : outcome]++;
      if (outcome === 'applied' && !msg.info.redelivered) {
        const lagMs = Math.max(0, result.committedAt - Date.parse(p.event.source_ts));
        this.metrics.lag.observe(lagMs / 1000);
        this.#o.onLag?.(lagMs);
      } else if (outcome === 'stale') {
        const e = p.event;
        // warn, not info: the contract requires stale updates to be logged (CT-4.stale) at any level.
        this.#log.warn(
          {
            tenant_id: e.tenant_id,
            agent_id: e.agent_id,
            episode_id: e.episode_id,
            event_id: e.event_id,
            source_ts: e.source_ts,
          },
          'stale update: not applied (CT-4.stale)',
        );
      }
    });
    for (const [outcome, n] of Object.entries(counts)) if (n > 0) this.metrics.events.inc({ outcome }, n);
    if (dlq.length > 0) {
      this.metrics.events.inc({ outcome: 'dlq' }, dlq.length);
      this.metrics.dlq.inc(dlq.length);
      for (const d of dlq) {
        this.#log.warn(
          {
            dlq_id: d.entry.dlq_id,
            subject: d.entry.subject,
            clause_id: d.entry.clause_id,
            reason: d.entry.reason,
          },
          'dead-lettered',
        );
      }
    }
  }
}
