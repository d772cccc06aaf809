import { CONTRACT, PROJECTION_TABLES } from 'continuum-contract';
import { CHILD_ERROR_CODES, ChildProcessError } from '../../harness/child/index.js';
import type { Violation } from '../check/violation.js';
import { percentile } from '../runner/slo.js';
import { checkFaultRun } from './check-fault-run.js';
import type { FaultEnv } from './fault-env.js';
import type { FaultRunFigures } from './fault-run-result.js';
import { FaultWorkload } from './fault-workload.js';
import type { LocalWriter, WriterOptions } from './local-writer.js';
import { projectedCount } from './observe-projection.js';
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
  /** Bound on the local write p99 over the soak (CT-6.local-writes); default 50 ms (`--local-write-bound-ms`). */
  localWriteBoundMs?: number;
  /** The projector's memory bound; see {@link MemoryVerdict}. */
  memory?: { boundBytesPerMin?: number; warmupMs?: number; minJudgedMs?: number };
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

/**
 * The projector's memory growth after warm-up, judged against a bound: the rise of its RSS floor
 * (the lowest sample of the last quarter of the judged window against the lowest of the first
 * quarter, per minute between them). Floors, not a fitted line: a garbage-collected heap grows
 * and falls back in waves of minutes, while a leak raises the floor. Judged only when at least
 * `minJudgedMs` of samples follow the warm-up. The kit's own process (with the in-process
 * producer) is reported, not judged: it keeps the write log of the whole soak in memory by design.
 */
export interface MemoryVerdict {
  boundBytesPerMin: number;
  warmupMs: number;
  minJudgedMs: number;
  judged: boolean;
  /** Floor growth per minute after warm-up. */
  slopeBytesPerMin: number | undefined;
  ok: boolean;
  note: string;
}

export const SOAK_MEMORY_DEFAULTS = {
  boundBytesPerMin: 4 * 2 ** 20,
  warmupMs: 60_000,
  minJudgedMs: 240_000,
} as const;

export interface SoakResult {
  ok: boolean;
  /** Why the soak failed beyond the clause violations (memory growth), one line each. */
  failures: string[];
  memoryVerdict: MemoryVerdict;
  localWriteBoundMs: number;
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
  const bound = o.localWriteBoundMs ?? 50;
  const workload = new FaultWorkload(env, 'soak', o.writer);
  const { tenantId, agentId, written, failures, writer } = workload;
  const samples: SoakSample[] = [];
  const started = Date.now();
  const exitsBefore = env.projector.unexpectedExits.length;
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
    const exited = (): void => {
      const exit = env.projector.unexpectedExits[exitsBefore];
      if (exit !== undefined)
        throw new ChildProcessError(
          CHILD_ERROR_CODES.exited,
          `${env.projector.name} ${exit.description} ${Math.round((exit.atMs - started) / 1000)} s into the soak, with no fault injected`,
          { logTail: env.projector.logTail() },
        );
    };
    while (Date.now() - started < durationMs) {
      exited();
      const due = Math.floor(((Date.now() - started) / 1000) * rate);
      while (workload.issued < due) await workload.write(false);
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
    exited();
    const { events, final, rows, copies } = await workload.collect();
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
      localWriteBoundMs: bound,
      duplicateRateMax: CONTRACT.slo.duplicate_projection_rate.max,
      durationMs: Date.now() - started,
    });
    const p99 = percentile(
      events.map((w) => w.latencyMs),
      99,
    );
    if (p99 !== undefined && p99 > bound)
      checked.violations.push({
        clauseId: 'CT-6.local-writes',
        message: `local write p99 ${p99.toFixed(1)} ms over the soak exceeds ${bound} ms`,
      });
    const memoryVerdict = judgeMemory(samples, o.memory);
    const soakFailures = memoryVerdict.ok ? [] : [memoryVerdict.note];
    const lags = events
      .map((w) => (final.get(w.event_id)?.projectedAtMs ?? NaN) - w.atMs)
      .filter((x) => Number.isFinite(x));
    return {
      ok: checked.violations.length === 0 && soakFailures.length === 0,
      failures: soakFailures,
      memoryVerdict,
      localWriteBoundMs: bound,
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
    await workload.stop();
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
         SELECT extract(epoch FROM projected_at - source_ts) * 1000 AS l FROM ${PROJECTION_TABLES.events}
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

/** The projector's RSS floor growth after warm-up against the bound. */
export function judgeMemory(samples: readonly SoakSample[], o: SoakOptions['memory'] = {}): MemoryVerdict {
  const boundBytesPerMin = o.boundBytesPerMin ?? SOAK_MEMORY_DEFAULTS.boundBytesPerMin;
  const warmupMs = o.warmupMs ?? SOAK_MEMORY_DEFAULTS.warmupMs;
  const minJudgedMs = o.minJudgedMs ?? SOAK_MEMORY_DEFAULTS.minJudgedMs;
  const after = samples.filter((s) => s.tMs >= warmupMs && s.projectorRssBytes !== undefined);
  const spanMs = after.length < 4 ? 0 : (after.at(-1) as SoakSample).tMs - (after[0] as SoakSample).tMs;
  const base = { boundBytesPerMin, warmupMs, minJudgedMs };
  if (spanMs < minJudgedMs)
    return {
      ...base,
      judged: false,
      slopeBytesPerMin: undefined,
      ok: true,
      note: `projector memory not judged: ${(spanMs / 1000).toFixed(0)} s of samples after the ${warmupMs / 1000} s warm-up, ${minJudgedMs / 1000} s needed`,
    };
  const quarter = Math.floor(after.length / 4);
  const first = after.slice(0, quarter);
  const last = after.slice(-quarter);
  const floor = (xs: SoakSample[]): number =>
    xs.reduce((m, x) => Math.min(m, x.projectorRssBytes as number), Infinity);
  const middle = (xs: SoakSample[]): number =>
    ((xs[0] as SoakSample).tMs + (xs.at(-1) as SoakSample).tMs) / 2;
  const slope = ((floor(last) - floor(first)) / (middle(last) - middle(first))) * 60_000;
  const mb = (b: number): string => (b / 2 ** 20).toFixed(2);
  const ok = slope <= boundBytesPerMin;
  return {
    ...base,
    judged: true,
    slopeBytesPerMin: slope,
    ok,
    note: `projector RSS floor grew ${mb(slope)} MB/min after the ${warmupMs / 1000} s warm-up (${mb(floor(first))} -> ${mb(floor(last))} MB; bound ${mb(boundBytesPerMin)} MB/min)`,
  };
}

function slopePerMin(pts: readonly (readonly [number, number])[]): number | undefined {
  if (pts.length < 2) return undefined;
  const mx = pts.reduce((n, p) => n + p[0], 0) / pts.length;
  const my = pts.reduce((n, p) => n + p[1], 0) / pts.length;
  const num = pts.reduce((n, p) => n + (p[0] - mx) * (p[1] - my), 0);
  const den = pts.reduce((n, p) => n + (p[0] - mx) ** 2, 0);
  return den === 0 ? 0 : (num / den) * 60_000;
}

/** First, last, max and the least-squares slope over the second half of the samples. */
export function growth(
  samples: readonly SoakSample[],
  f: (s: SoakSample) => number | undefined,
): MemoryGrowth {
  const pts = samples
    .map((s) => [s.tMs, f(s)] as const)
    .filter((p): p is readonly [number, number] => p[1] !== undefined);
  const slope = slopePerMin(pts.slice(Math.floor(pts.length / 2)));
  return {
    firstBytes: pts[0]?.[1],
    lastBytes: pts.at(-1)?.[1],
    maxBytes: pts.length === 0 ? undefined : pts.reduce((a, p) => Math.max(a, p[1]), -Infinity),
    slopeBytesPerMin: slope,
  };
}
