import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Services } from '../../harness/services/index.js';
import type { ConformanceReport } from '../../conformance/report/conformance-report.js';
import { runCli } from '../run-cli.js';
import type { ProcessRun } from '../run-cli.js';
import { TEST_ACK_WAIT_MS } from './kit-env.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** The outcome of one `continuum-kit conformance run` as a child process. */
export interface KitRun extends ProcessRun {
  out: string;
  report: ConformanceReport | undefined;
}

/** The fixture projector command, with `--break rule` unless `rule` is undefined. */
export function fixtureCmd(rule?: string): string {
  const file = path.join(ROOT, 'conformance/fixtures/broken-projector.ts');
  return `${process.execPath} --import tsx ${file}${rule === undefined ? '' : ` --break ${rule}`}`;
}

/** The deployment flags for `env`, with a redelivery wait above the test consumers' ack wait. */
function serviceFlags(env: Services): string[] {
  return [
    '--nats',
    env.natsUrl,
    '--pg',
    env.pgUrl,
    '--valkey',
    env.valkeyUrl,
    '--redelivery-wait-ms',
    String(TEST_ACK_WAIT_MS + 3000),
  ];
}

/** Runs the real CLI against `env` and reads its report.json. */
export async function runKit(env: Services, args: string[]): Promise<KitRun> {
  const out = mkdtempSync(path.join(os.tmpdir(), 'ck-conformance-'));
  const run = await runCli(['conformance', 'run', ...serviceFlags(env), '--out', out, ...args]);
  let report: ConformanceReport | undefined;
  try {
    report = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')) as ConformanceReport;
  } catch {
    report = undefined;
  }
  return { ...run, out, report };
}

/** Every clause the report calls failed: in a counterexample, or in any run of a property. */
export function failedClauses(report: ConformanceReport | undefined): string[] {
  return [
    ...new Set([
      ...(report?.properties ?? []).flatMap((p) => p.violations.map((v) => v.clauseId)),
      ...(report?.clauses ?? []).filter((c) => c.status === 'failed').map((c) => c.id),
    ]),
  ];
}

/** Runs `continuum-kit conformance replay FILE` against `env`. */
export function replayKit(env: Services, file: string, args: string[]): Promise<ProcessRun> {
  return runCli(['conformance', 'replay', file, ...serviceFlags(env), ...args]);
}
