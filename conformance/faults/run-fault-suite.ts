import type { Logger } from '../../harness/logger.js';
import type { SecureNatsMode } from '../../harness/security/start-secure-nats.js';
import type { FaultClauseVerdict } from './fault-run-result.js';
import { startFaultEnv } from './fault-env.js';
import { runFaultProperty, type FaultPropertyResult } from './run-fault-property.js';
import { runSoak, type SoakResult } from './run-soak.js';
import { writeFaultReports } from './write-fault-reports.js';

/** What `conformance run --target reference --faults` would pass; every field but seed has a default. */
export interface FaultSuiteOptions {
  seed: number;
  /** Generated schedules per environment; default 4. */
  numRuns?: number;
  /** Also run schedules against a 3-node cluster (cluster-node-kill); default true. */
  cluster?: boolean;
  /** Also run over a secure bus with auth probed during the faults; default undefined (off). */
  secure?: SecureNatsMode;
  /** Soak duration in ms; 0 skips it; default 600000. */
  soakMs?: number;
  soakRatePerSec?: number;
  /** Bound on the local write p99 under fault (CT-6.local-writes); default 50 ms. */
  localWriteBoundMs?: number;
  /** Where faults.json, faults.html and failing schedules go. */
  outDir: string;
  progress?: (line: string) => void;
  logger?: Logger;
}

/** Every part's result and one verdict per clause, to merge into the conformance report. */
export interface FaultSuiteResult {
  conformant: boolean;
  single: FaultPropertyResult;
  cluster?: FaultPropertyResult;
  secure?: FaultPropertyResult;
  soak?: SoakResult;
  /** clause id -> verdict; shape of ClauseInputs.producer in conformance/report/clause-status.ts. */
  clauses: Map<string, { status: FaultClauseVerdict['status']; note: string }>;
  files: { json: string; html: string };
}

/**
 * The fault part of a reference run: generated fault schedules on a single node (and on a
 * 3-node cluster, and over a secure bus), then the soak; each on its own servers started from
 * binaries. Writes faults.json and faults.html into `outDir`.
 */
export async function runFaultSuite(o: FaultSuiteOptions): Promise<FaultSuiteResult> {
  const say = o.progress ?? (() => undefined);
  const part = async (
    label: string,
    env: Parameters<typeof startFaultEnv>[0],
    seed: number,
  ): Promise<FaultPropertyResult> => {
    say(`faults: ${label}: starting servers`);
    const e = await startFaultEnv({ ...env, ...(o.logger ? { logger: o.logger } : {}) });
    try {
      const r = await runFaultProperty(e, {
        seed,
        numRuns: o.numRuns ?? 4,
        outDir: o.outDir,
        run: {
          progress: (l) => say(`faults: ${label}: ${l}`),
          ...(o.localWriteBoundMs === undefined ? {} : { localWriteBoundMs: o.localWriteBoundMs }),
        },
      });
      say(
        `faults: ${label}: ${r.status}, ${r.totals.faultsInjected} faults, ${r.totals.episodesWritten} written, ${r.totals.lost} lost`,
      );
      return r;
    } finally {
      await e.stop();
    }
  };
  const single = await part('single node', {}, o.seed);
  const cluster =
    o.cluster === false ? undefined : await part('3-node cluster', { cluster: true }, o.seed + 1);
  const secure =
    o.secure === undefined
      ? undefined
      : await part(`secure bus (${o.secure})`, { secure: { mode: o.secure } }, o.seed + 2);
  let soak: SoakResult | undefined;
  if ((o.soakMs ?? 600_000) > 0) {
    say('faults: soak: starting servers');
    const e = await startFaultEnv(o.logger ? { logger: o.logger } : {});
    try {
      soak = await runSoak(e, {
        durationMs: o.soakMs ?? 600_000,
        ...(o.localWriteBoundMs === undefined ? {} : { localWriteBoundMs: o.localWriteBoundMs }),
        ...(o.soakRatePerSec === undefined ? {} : { ratePerSec: o.soakRatePerSec }),
        progress: (l) => say(`faults: ${l}`),
      });
    } finally {
      await e.stop();
    }
  }
  const parts = [single, cluster, secure].filter((p): p is FaultPropertyResult => p !== undefined);
  const clauses = mergeVerdicts(parts, soak);
  const files = await writeFaultReports(o.outDir, {
    faults: single,
    ...(cluster ? { cluster } : {}),
    ...(secure ? { secure } : {}),
    ...(soak ? { soak } : {}),
  });
  const conformant = parts.every((p) => p.status === 'passed') && (soak?.ok ?? true);
  return {
    conformant,
    single,
    ...(cluster ? { cluster } : {}),
    ...(secure ? { secure } : {}),
    ...(soak ? { soak } : {}),
    clauses,
    files,
  };
}

/** Failed beats passed beats not-tested, per clause, over every execution. */
function mergeVerdicts(
  parts: FaultPropertyResult[],
  soak: SoakResult | undefined,
): Map<string, { status: FaultClauseVerdict['status']; note: string }> {
  const out = new Map<string, { status: FaultClauseVerdict['status']; note: string }>();
  const rank = { failed: 2, passed: 1, 'not-tested': 0 } as const;
  const verdicts = parts.flatMap((p) =>
    p.results.flatMap((r) => r.clauses.map((c) => ({ ...c, note: `faults: ${c.note}` }))),
  );
  for (const v of soak?.violations ?? [])
    verdicts.push({ clauseId: v.clauseId, status: 'failed', note: `soak: ${v.message}` });
  for (const v of verdicts) {
    const was = out.get(v.clauseId);
    if (was === undefined || rank[v.status] > rank[was.status])
      out.set(v.clauseId, { status: v.status, note: v.note });
  }
  return out;
}
