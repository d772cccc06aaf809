import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { CONTRACT } from '../../lib/index.js';
import type { ModelEvent } from '../../lib/projection-model.js';
import type { Violation } from '../check/violation.js';
import { percentile } from '../runner/slo.js';
import { checkFaultRun, type WrittenEvent } from './check-fault-run.js';
import type { FaultEnv } from './fault-env.js';
import type { FaultRunFigures } from './fault-run-result.js';
import { ReferenceWriter, writeOp, type LocalWriter, type WriterOptions } from './local-writer.js';
import { projectedCount, projectedEvents, projectionRows, streamCopies } from './observe-projection.js';
import { scrapeProjectorCounters } from './scrape-metrics.js';

/** Options of {@link runSoak}. */
export interface SoakOptions {
  /** Default 600000 (10 minutes); tests use ~20 s. */
  durationMs?: number;
  /** Steady local writes per second; default 300. */
  ratePerSec?: number;
  /** Sampling period; default max(1000, duration / 120). */
  sampleEveryMs?: number;
  writer?: (o: WriterOptions) => LocalWriter;
  /** Bound on the final catch-up; default 60000 ms. */
  recoveryTimeoutMs?: number;
  progress?: (line: string) => void;
}

/** One point of the soak's time series. */
export interface SoakSample {
  /** ms since the soak started. */
  tMs: number;
  written: number;
  projected: number;
  /** written - projected at the sample. */
  backlog: number;
  /** Lag (projected_at - write time) of events projected since the previous sample. */
  lagP95Ms: number | undefined;
  lagMaxMs: number | undefined;
  /** Local write p99 over the interval. */
  writeP99Ms: number | undefined;
  projectorRssBytes: number | undefined;
  /** This process: the kit and the in-process producer. */
  producerRssBytes: number;
  producerHeapBytes: number;
  /** Per second over the interval. */
  writeErrorsPerSec: number;
  publishRetriesPerSec: number;
  projectorErrorsPerSec: number | undefined;
}

/** Linear trend of a memory series after warm-up. */
export interface MemoryGrowth {
  firstBytes: number | undefined;
  lastBytes: number | undefined;
  maxBytes: number | undefined;
  /** Least-squares slope over the second half of the run, bytes per minute. */
  slopeBytesPerMin: number | undefined;
}

export interface SoakResult {
  ok: boolean;
  durationMs: number;
  ratePerSec: number;
  samples: SoakSample[];
  figures: FaultRunFigures;
  memory: { projectorRss: MemoryGrowth; producerRss: MemoryGrowth; producerHeap: MemoryGrowth };
  lagP95Ms: number | undefined;
  violations: Violation[];
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/**
 * A bounded soak: a steady write rate for a duration against the environment's producer and
 * projector, sampling memory, lag, throughput and error rates; then the fault run's checks
 * (nothing lost, effectively once, local writes never blocked) over everything written.
 */
export async function runSoak(env: FaultEnv, o: SoakOptions = {}): Promise<SoakResult> {
  const durationMs = o.durationMs ?? 600_000;
  const rate = o.ratePerSec ?? 300;
  const every = o.sampleEveryMs ?? Math.max(1000, durationMs / 120);
  const tenantId = env.nextTenant() ?? `soak${randomBytes(4).toString('hex')}`;
  const producerNats = env.producerNats(tenantId);
  const agentId = `a${randomBytes(4).toString('hex')}`;
  const writer = (o.writer ?? ((w) => new ReferenceWriter(w)))({
    dbPath: path.join(env.dir, `${tenantId}.sqlite`),
    natsUrl: env.producerNatsUrl,
    valkeyUrl: env.valkeyUrl,
    ...(producerNats === undefined ? {} : { nats: producerNats }),
  });
  const written: { id: string; atMs: number; latencyMs: number }[] = [];
  const failures: string[] = [];
  const samples: SoakSample[] = [];
  const live: string[] = [];
  const started = Date.now();
  const exitsBefore = env.projector.unexpectedExits.length;
  let i = 0;
  try {
    await writer.ready(15_000);
    let nextSample = started + every;
    let lastSample = {
      at: started,
      written: 0,
      failures: 0,
      retries: 0,
      projErrors: undefined as number | undefined,
      lagFrom: started,
    };
    while (Date.now() - started < durationMs) {
      const due = Math.floor(((Date.now() - started) / 1000) * rate);
      while (i < due) {
        const op = writeOp(i, live.length);
        const episodeId =
          op === 'create' ? undefined : op === 'delete' ? live.shift() : live[live.length - 1];
        const atMs = Date.now();
        const t0 = performance.now();
        try {
          const r = await writer.write(op, tenantId, agentId, episodeId, i);
          if (op === 'create') live.push(r.episode_id);
          written.push({ id: r.event_id, atMs, latencyMs: performance.now() - t0 });
        } catch (error) {
          failures.push(`${op} #${i}: ${(error as Error).message}`);
        }
        i++;
      }
      if (Date.now() >= nextSample) {
        const now = Date.now();
        const s = await sample(
          env,
          tenantId,
          agentId,
          written,
          lastSample,
          now,
          started,
          failures.length,
          writer.counters().retries,
        );
        samples.push(s.sample);
        lastSample = s.next;
        nextSample = now + every;
        o.progress?.(
          `soak ${Math.round((now - started) / 1000)} s: ${s.sample.written} written, backlog ${s.sample.backlog}, lag p95 ${s.sample.lagP95Ms?.toFixed(0) ?? '-'} ms, projector RSS ${((s.sample.projectorRssBytes ?? 0) / 2 ** 20).toFixed(0)} MB`,
        );
      }
      await sleep(10);
    }
    await writer.waitExported(o.recoveryTimeoutMs ?? 60_000);
    const until = Date.now() + (o.recoveryTimeoutMs ?? 60_000);
    while (
      Date.now() < until &&
      (await projectedCount(env.pool, tenantId, agentId).catch(() => 0)) < written.length
    )
      await sleep(200);
    const [final, rows, copies] = await Promise.all([
      projectedEvents(env.pool, tenantId, agentId),
      projectionRows(env.pool, tenantId, agentId),
      streamCopies(env.natsUrl, tenantId, agentId, env.natsConnect),
    ]);
    const log = new Map(writer.changeLog().map((e) => [e.event_id, e]));
    const events: WrittenEvent[] = written.map((w) => ({
      event_id: w.id,
      episode_id: log.get(w.id)?.episode_id ?? '',
      event: log.get(w.id)?.event as ModelEvent,
      atMs: w.atMs,
      latencyMs: w.latencyMs,
      inFault: false,
    }));
    const checked = checkFaultRun({
      written: events,
      writeFailures: failures,
      windows: [],
      snapshots: [],
      final,
      rows,
      streamCopies: copies,
      faultsInjected: 0,
      projectorKills: 0,
      projectorUnexpectedExits: env.projector.unexpectedExits.length - exitsBefore,
      kinds: new Set(),
      auth: [],
      // No faults: every write is a baseline write, held to the same absolute bound.
      localWriteBoundMs: 50,
      duplicateRateMax: CONTRACT.slo.duplicate_projection_rate.max,
      durationMs: Date.now() - started,
    });
    const lateWrites = events.map((w) => w.latencyMs);
    const p99 = percentile(lateWrites, 99);
    if (p99 !== undefined && p99 > 50)
      checked.violations.push({
        clauseId: 'CT-6.local-writes',
        message: `local write p99 ${p99.toFixed(1)} ms over the soak exceeds 50 ms`,
      });
    const lags = events
      .map((w) => (final.get(w.event_id)?.projectedAtMs ?? NaN) - w.atMs)
      .filter((x) => Number.isFinite(x));
    return {
      ok: checked.violations.length === 0,
      durationMs: Date.now() - started,
      ratePerSec: rate,
      samples,
      figures: checked.figures,
      memory: {
        projectorRss: growth(samples, (s) => s.projectorRssBytes),
        producerRss: growth(samples, (s) => s.producerRssBytes),
        producerHeap: growth(samples, (s) => s.producerHeapBytes),
      },
      lagP95Ms: percentile(lags, 95),
      violations: checked.violations,
    };
  } finally {
    await writer.stop().catch(() => undefined);
  }
}

async function sample(
  env: FaultEnv,
  t: string,
  a: string,
  written: { atMs: number; latencyMs: number }[],
  last: {
    at: number;
    written: number;
    failures: number;
    retries: number;
    projErrors: number | undefined;
    lagFrom: number;
  },
  now: number,
  started: number,
  failures: number,
  retries: number,
): Promise<{ sample: SoakSample; next: typeof last }> {
  const secs = Math.max(0.001, (now - last.at) / 1000);
  const lag = await env.pool
    .query<{ p95: number | null; max: number | null; n: string }>(
      `SELECT percentile_cont(0.95) WITHIN GROUP (ORDER BY l) AS p95, max(l) AS max, count(*) AS n FROM (
         SELECT extract(epoch FROM projected_at - source_ts) * 1000 AS l FROM arqonbus_continuum_projection_events
          WHERE tenant_id = $1 AND agent_id = $2 AND projected_at >= to_timestamp($3 / 1000.0)) AS x`,
      [t, a, last.lagFrom],
    )
    .catch(() => undefined);
  const projected = await projectedCount(env.pool, t, a).catch(() => -1);
  const counters = await scrapeProjectorCounters(env.projector.metricsUrl);
  const mem = process.memoryUsage();
  const interval = written.slice(last.written).map((w) => w.latencyMs);
  const row = lag?.rows[0];
  return {
    sample: {
      tMs: now - started,
      written: written.length,
      projected,
      backlog: projected < 0 ? written.length : written.length - projected,
      lagP95Ms: row?.p95 ?? undefined,
      lagMaxMs: row?.max ?? undefined,
      writeP99Ms: percentile(interval, 99),
      projectorRssBytes: env.projector.rssBytes(),
      producerRssBytes: mem.rss,
      producerHeapBytes: mem.heapUsed,
      writeErrorsPerSec: (failures - last.failures) / secs,
      publishRetriesPerSec: (retries - last.retries) / secs,
      projectorErrorsPerSec:
        counters === undefined || last.projErrors === undefined
          ? undefined
          : (counters.errors - last.projErrors) / secs,
    },
    next: { at: now, written: written.length, failures, retries, projErrors: counters?.errors, lagFrom: now },
  };
}

/** First, last, max and the least-squares slope over the second half of the samples. */
export function growth(
  samples: readonly SoakSample[],
  f: (s: SoakSample) => number | undefined,
): MemoryGrowth {
  const pts = samples
    .map((s) => [s.tMs, f(s)] as const)
    .filter((p): p is readonly [number, number] => p[1] !== undefined);
  const tail = pts.slice(Math.floor(pts.length / 2));
  let slope: number | undefined;
  if (tail.length >= 2) {
    const mx = tail.reduce((n, p) => n + p[0], 0) / tail.length;
    const my = tail.reduce((n, p) => n + p[1], 0) / tail.length;
    const num = tail.reduce((n, p) => n + (p[0] - mx) * (p[1] - my), 0);
    const den = tail.reduce((n, p) => n + (p[0] - mx) ** 2, 0);
    slope = den === 0 ? 0 : (num / den) * 60_000;
  }
  return {
    firstBytes: pts[0]?.[1],
    lastBytes: pts.at(-1)?.[1],
    maxBytes: pts.length === 0 ? undefined : pts.reduce((a, p) => Math.max(a, p[1]), -Infinity),
    slopeBytesPerMin: slope,
  };
}
