import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../../harness/services/index.js';
import { startKitEnv } from './kit-env.js';
import { fixtureCmd, replayKit, runKit } from './run-kit.js';

describe('conformance replay FILE reruns exactly the failing schedule', () => {
  let env: Services;
  beforeAll(async () => {
    env = await startKitEnv();
  });
  afterAll(async () => {
    await env?.stop();
  });

  it(
    'fails again against the broken projector and passes against the correct one',
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
        '10',
      ]);
      expect(run.code, run.stderr.slice(-1500)).toBe(1);
      const file = run.report?.scheduleFiles.duplicates;
      expect(file).toBeTruthy();
      const again = await replayKit(env, file as string, ['--projector-cmd', fixtureCmd('no-dedup')]);
      expect(again.code, again.stderr.slice(-1500)).toBe(1);
      expect(again.stdout).toContain('CT-4.dedup');
      const fixed = await replayKit(env, file as string, ['--projector-cmd', fixtureCmd()]);
      expect(fixed.code, fixed.stdout + fixed.stderr.slice(-1500)).toBe(0);
    },
  );
});
