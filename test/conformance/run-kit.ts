import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Services } from '../../harness/services/index.js';
import type { ConformanceReport } from '../../conformance/report/conformance-report.js';
import { TEST_ACK_WAIT_MS } from './kit-env.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** The outcome of one `continuum-kit conformance run` as a child process. */
export interface KitRun {
  code: number | null;
  stdout: string;
  stderr: string;
  out: string;
  report: ConformanceReport | undefined;
}

/** The fixture projector command, with `--break rule` unless `rule` is undefined. */
export function fixtureCmd(rule?: string): string {
  const file = path.join(ROOT, 'conformance/fixtures/broken-projector.ts');
  return `${process.execPath} --import tsx ${file}${rule === undefined ? '' : ` --break ${rule}`}`;
}

/** Runs the real CLI against `env` and reads its report.json. */
export async function runKit(env: Services, args: string[]): Promise<KitRun> {
  const out = mkdtempSync(path.join(os.tmpdir(), 'ck-conformance-'));
  const argv = [
    '--import',
    'tsx',
    path.join(ROOT, 'cli/main.ts'),
    'conformance',
    'run',
    '--nats',
    env.natsUrl,
    '--pg',
    env.pgUrl,
    '--valkey',
    env.valkeyUrl,
    '--redelivery-wait-ms',
    String(TEST_ACK_WAIT_MS + 3000),
    '--out',
    out,
    ...args,
  ];
  const child = spawn(process.execPath, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  let report: ConformanceReport | undefined;
  try {
    report = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')) as ConformanceReport;
  } catch {
    report = undefined;
  }
  return { code, stdout, stderr, out, report };
}

/** Every clause a failed property named. */
export function failedClauses(report: ConformanceReport | undefined): string[] {
  return [...new Set((report?.properties ?? []).flatMap((p) => p.violations.map((v) => v.clauseId)))];
}

/** Runs `continuum-kit conformance replay FILE` against `env`. */
export async function replayKit(
  env: Services,
  file: string,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const argv = [
    '--import',
    'tsx',
    path.join(ROOT, 'cli/main.ts'),
    'conformance',
    'replay',
    file,
    '--nats',
    env.natsUrl,
    '--pg',
    env.pgUrl,
    '--valkey',
    env.valkeyUrl,
    '--redelivery-wait-ms',
    String(TEST_ACK_WAIT_MS + 3000),
    ...args,
  ];
  const child = spawn(process.execPath, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, stdout, stderr };
}
