import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { ModelEvent } from 'continuum-contract';
import type { ObservedRow } from '../target/observation.js';
import type { WrittenEvent } from './check-fault-run.js';
import type { FaultEnv } from './fault-env.js';
import { ReferenceWriter, writeOp, type LocalWriter, type WriterOptions } from './local-writer.js';
import { projectedEvents, projectionRows, streamCopies, type ProjectedEvent } from './observe-projection.js';

/** One local write as the workload saw it. */
export interface WorkloadWrite {
  id: string;
  atMs: number;
  latencyMs: number;
  inFault: boolean;
}

/** What the checks read after a workload: the write log joined with the change-log, and the deployment's state. */
export interface WorkloadCollection {
  events: WrittenEvent[];
  final: Map<string, ProjectedEvent>;
  rows: ObservedRow[];
  copies: Map<string, number>;
}

const rid = (p: string): string => `${p}${randomBytes(5).toString('hex')}`;

/**
 * The local writes of a fault run or a soak under one fresh tenant and agent: creates, updates
 * and deletes of live episodes through the environment's producer, each timed, failures kept,
 * and, at the end, everything the checks compare (shared by the executor and the soak).
 */
export class FaultWorkload {
  readonly tenantId: string;
  readonly agentId = rid('a');
  readonly written: WorkloadWrite[] = [];
  readonly failures: string[] = [];
  readonly writer: LocalWriter;
  readonly #live: string[] = [];
  #next = 0;

  constructor(
    private readonly env: FaultEnv,
    tenantPrefix: string,
    writer?: (o: WriterOptions) => LocalWriter,
  ) {
    this.tenantId = env.nextTenant() ?? rid(tenantPrefix);
    const producerNats = env.producerNats(this.tenantId);
    this.writer = (writer ?? ((w) => new ReferenceWriter(w)))({
      dbPath: path.join(env.dir, `${this.tenantId}.sqlite`),
      natsUrl: env.producerNatsUrl,
      valkeyUrl: env.valkeyUrl,
      ...(producerNats === undefined ? {} : { nats: producerNats }),
    });
  }

  /** Writes issued so far (failed ones included). */
  get issued(): number {
    return this.#next;
  }

  /** One local write: a create, an update of the newest live episode or a delete of the oldest. */
  async write(inFault: boolean): Promise<void> {
    const i = this.#next++;
    const op = writeOp(i, this.#live.length);
    const live = this.#live;
    const episodeId = op === 'create' ? undefined : op === 'delete' ? live.shift() : live[live.length - 1];
    const atMs = Date.now();
    const t0 = performance.now();
    try {
      const r = await this.writer.write(op, this.tenantId, this.agentId, episodeId, i);
      if (op === 'create') live.push(r.episode_id);
      this.written.push({ id: r.event_id, atMs, latencyMs: performance.now() - t0, inFault });
    } catch (error) {
      this.failures.push(`${op} #${i}: ${(error as Error).message}`);
    }
  }

  /** The write log joined with the producer's change-log, and what the deployment holds now. */
  async collect(): Promise<WorkloadCollection> {
    const { env, tenantId, agentId } = this;
    const [final, rows, copies] = await Promise.all([
      projectedEvents(env.pool, tenantId, agentId),
      projectionRows(env.pool, tenantId, agentId),
      streamCopies(env.natsUrl, tenantId, agentId, env.natsConnect),
    ]);
    const log = new Map(this.writer.changeLog().map((e) => [e.event_id, e]));
    const events: WrittenEvent[] = this.written.map((w) => ({
      event_id: w.id,
      episode_id: log.get(w.id)?.episode_id ?? '',
      event: log.get(w.id)?.event as ModelEvent,
      atMs: w.atMs,
      latencyMs: w.latencyMs,
      inFault: w.inFault,
    }));
    return { events, final, rows, copies };
  }

  async stop(): Promise<void> {
    await this.writer.stop().catch(() => undefined);
  }
}
