import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../../harness/services/index.js';
import { startKitEnv } from './kit-env.js';
import { fixtureCmd, replayKit, runKit } from './run-kit.js';

describe('conformance replay FILE and --path rerun exactly the failing schedule', () => {
  let env: Services;
  beforeAll(async () => {
    env = await startKitEnv();
  });
  afterAll(async () => {
    await env?.stop();
  });

  it(
    'fails again against the broken projector by path and by file, and the file passes against the correct one',
    { timeout: 300_000 },
    async () => {
      const args = [
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
      ];
      const run = await runKit(env, [...args, '--max-shrinks', '10']);
      expect(run.code, run.stderr.slice(-1500)).toBe(1);
      const found = run.report?.properties.find((p) => p.name === 'duplicates');
      // The run, then the minimisation (`~kept steps~kept payload fields`).
      expect(found?.path).toMatch(/^\d+~[\d,]+(~.*)?$/);
      const byPath = await runKit(env, [...args, '--max-shrinks', '0', '--path', found?.path as string]);
      expect(byPath.code, byPath.stderr.slice(-1500)).toBe(1);
      const replayed = byPath.report?.properties.find((p) => p.name === 'duplicates');
      expect(replayed).toMatchObject({ runs: 1, path: found?.path });
      expect(replayed?.counterexample?.schedule).toEqual(found?.counterexample?.schedule);
      const file = run.report?.scheduleFiles.duplicates;
      expect(file).toBeTruthy();
      const again = await replayKit(env, file as string, ['--projector-cmd', fixtureCmd('no-dedup')]);
      expect(again.code, again.stderr.slice(-1500)).toBe(1);
      expect(again.stdout).toContain('CT-4.dedup');
      const fixed = await replayKit(env, file as string, ['--projector-cmd', fixtureCmd()]);
      expect(fixed.code, fixed.stdout + fixed.stderr.slice(-1500)).toBe(0);
    },
  );

  it(
    "judges the replay as the property did: poison's clause attribution and the single-consumer checks",
    { timeout: 300_000 },
    async () => {
      const run = await runKit(env, [
        '--target',
        'projector',
        '--projector-cmd',
        fixtureCmd('poison-halts'),
        '--property',
        'poison',
        '--seed',
        '3',
        '--num-runs',
        '4',
        '--max-shrinks',
        '3',
        // poison-halts never acknowledges the poison: waiting for its records only slows the test.
        '--give-up-ms',
        '1000',
      ]);
      expect(run.code, run.stderr.slice(-1500)).toBe(1);
      const found = run.report?.properties.find((p) => p.name === 'poison');
      const clauses = [...new Set(found?.violations.map((v) => v.clauseId))].sort();
      expect(clauses).toContain('CT-4.poison');
      const file = run.report?.scheduleFiles.poison;
      expect(file).toBeTruthy();
      const again = await replayKit(env, file as string, ['--projector-cmd', fixtureCmd('poison-halts')]);
      expect(again.code, again.stderr.slice(-1500)).toBe(1);
      // The same clauses as the run named, not the generic checks' CT-4.consume / CT-4.dlq.
      expect(again.stdout).toContain(`STILL FAILING: ${clauses.join(', ')};`);
      expect(again.stdout).not.toContain('the saved run failed');
    },
  );
});
