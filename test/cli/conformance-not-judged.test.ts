import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../../harness/services/index.js';
import { startKitEnv } from '../conformance/kit-env.js';
import { fixtureCmd, runKit } from '../conformance/run-kit.js';
import { runCli } from '../run-cli.js';

interface ErrorReport {
  exitCode: number;
  conformant: null;
  error: { kind: string; message: string };
}

const errorReport = (out: string): ErrorReport =>
  JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')) as ErrorReport;

// A projector that is not there is an environment error (exit 2), never a clause failure.
describe('conformance run: a target that never ran is not judged', () => {
  let env: Services;
  beforeAll(async () => {
    env = await startKitEnv();
  });
  afterAll(async () => {
    await env?.stop();
  });

  it('a --projector-cmd that cannot start: exit 2 with its log tail in the console, JUnit and report', async () => {
    const run = await runKit(env, [
      '--target',
      'projector',
      '--projector-cmd',
      `${process.execPath} /nonexistent/my-projector.js`,
      '--num-runs',
      '1',
    ]);
    expect(run.code, run.stderr.slice(-1500)).toBe(2);
    expect(run.stderr).toContain('exited on its own (code 1)');
    expect(run.stderr).toContain('Cannot find module');
    expect(run.stdout).not.toContain('CONFORMANT');
    const report = errorReport(run.out);
    expect(report.exitCode).toBe(2);
    expect(report.error.kind).toBe('environment');
    expect(report.error.message).toContain('Cannot find module');
    const junit = readFileSync(path.join(run.out, 'junit.xml'), 'utf8');
    expect(junit).toContain('errors="1"');
    expect(junit).toContain('Cannot find module');
  });

  it('nothing consuming from the deployment: the preflight stops the run with exit 2', async () => {
    const run = await runKit(env, ['--target', 'projector', '--num-runs', '1']);
    expect(run.code, run.stderr.slice(-1500)).toBe(2);
    expect(run.stderr).toContain('preflight: nothing is consuming');
    expect(run.stderr).not.toMatch(/^property /m);
    expect(errorReport(run.out).error.message).toContain('nothing is consuming');
  });

  it(
    'replay FILE alone reruns on the target the file records; a fixed projector prints FIXED',
    { timeout: 300_000 },
    async () => {
      const run = await runKit(env, [
        '--target',
        'projector',
        '--projector-cmd',
        fixtureCmd('no-dedup'),
        '--property',
        'duplicates',
        '--seed',
        '5',
        '--num-runs',
        '10',
        '--max-shrinks',
        '5',
      ]);
      expect(run.code, run.stderr.slice(-1500)).toBe(1);
      const file = run.report?.scheduleFiles.duplicates as string;
      const saved = JSON.parse(readFileSync(file, 'utf8')) as { target?: Record<string, unknown> };
      expect(saved.target).toMatchObject({ kind: 'projector', projectorCmd: fixtureCmd('no-dedup') });
      // No flag at all: the recorded deployment and projector command.
      const again = await runCli(['conformance', 'replay', file, '--out', run.out]);
      expect(again.code, again.stderr.slice(-1500)).toBe(1);
      expect(again.stdout).toContain('STILL FAILING: CT-4.dedup');
      const fixed = await runCli([
        'conformance',
        'replay',
        file,
        '--projector-cmd',
        fixtureCmd(),
        '--out',
        run.out,
      ]);
      expect(fixed.code, fixed.stdout + fixed.stderr.slice(-1500)).toBe(0);
      expect(fixed.stdout).toContain('FIXED');
    },
  );
});
