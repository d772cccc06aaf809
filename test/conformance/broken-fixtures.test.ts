import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../../harness/services/index.js';
import { FIXTURE_EXPECTATIONS } from '../../conformance/fixtures/fixture-rules.js';
import type { FixtureRule } from '../../conformance/fixtures/fixture-rules.js';
import { startKitEnv } from './kit-env.js';
import { failedClauses, fixtureCmd, runKit } from './run-kit.js';

// The property that exercises each rule, so each case stays short. The full default run is
// exercised against the correct fixture in correct-fixture.test.ts.
const FOCUS: Record<FixtureRule, { properties: string; extra?: string[] }> = {
  'no-dedup': { properties: 'duplicates' },
  'guard-lte': { properties: 'duplicates' },
  'guard-ts-only': { properties: 'reordering' },
  'no-tie-break': { properties: 'reordering' },
  'key-without-tenant': { properties: 'valkey' },
  'cache-without-ttl': { properties: 'valkey' },
  'body-in-valkey': { properties: 'valkey' },
  'drop-invalid': { properties: 'bad-input' },
  'no-subject-check': { properties: 'tenant-isolation' },
  'racy-guard': { properties: 'reordering', extra: ['--projector-instances', '2', '--num-runs', '25'] },
  'ack-before-commit': { properties: 'crash', extra: ['--num-runs', '8'] },
  'poison-halts': { properties: 'poison', extra: ['--num-runs', '2'] },
  'store-unknown-fields': { properties: 'poison', extra: ['--num-runs', '2'] },
  'stale-as-applied': { properties: 'reordering' },
  'cache-kept-after-delete': { properties: 'valkey' },
  'cache-whole-event': { properties: 'valkey' },
  'seen-key': { properties: 'valkey' },
  'lose-summarized': { properties: 'oracle' },
  'lenient-event-type': { properties: 'bad-input' },
  'last-body-wins': { properties: 'duplicates' },
  'locale-tie-break': { properties: 'reordering' },
  'guard-ms': { properties: 'reordering' },
  'summary-bytes': { properties: 'oracle' },
  'case-folded-event-id': { properties: 'bad-input' },
};
/** `CK_FIXTURE_RULES=guard-ms,locale-tie-break` runs only those rules' cases. */
const ONLY = process.env.CK_FIXTURE_RULES?.split(',');

describe('the kit catches every broken fixture with the right clause', () => {
  let env: Services;
  beforeAll(async () => {
    env = await startKitEnv();
  });
  afterAll(async () => {
    await env?.stop();
  });

  for (const [rule, expected] of Object.entries(FIXTURE_EXPECTATIONS) as [FixtureRule, readonly string[]][]) {
    if (ONLY !== undefined && !ONLY.includes(rule)) continue;
    it(`--break ${rule} fails naming ${expected.join(' or ')}`, { timeout: 300_000 }, async () => {
      const focus = FOCUS[rule];
      const run = await runKit(env, [
        '--target',
        'projector',
        '--projector-cmd',
        fixtureCmd(rule),
        '--property',
        focus.properties,
        '--seed',
        '7',
        '--num-runs',
        '10',
        '--max-shrinks',
        '5',
        ...(focus.extra ?? []),
      ]);
      expect(run.code, run.stderr.slice(-2000)).toBe(1);
      const named = failedClauses(run.report);
      expect(
        named.some((c) => expected.includes(c)),
        `named ${named.join(', ')}\n${run.stdout.slice(0, 3000)}`,
      ).toBe(true);
      const failed = run.report?.properties.find((p) => p.status === 'failed');
      expect(failed?.counterexample?.executed.steps.length ?? 0).toBeGreaterThan(0);
      expect(run.report?.scheduleFiles[failed?.name ?? '']).toBeTruthy();
    });
  }
});

describe.skipIf(ONLY !== undefined && !ONLY.includes('racy-guard'))(
  'control: racy-guard fails because of the race, not its guard',
  () => {
    let env: Services;
    beforeAll(async () => {
      env = await startKitEnv();
    });
    afterAll(async () => {
      await env?.stop();
    });

    it('one racy-guard instance alone passes the same property', { timeout: 300_000 }, async () => {
      const run = await runKit(env, [
        '--target',
        'projector',
        '--projector-cmd',
        fixtureCmd('racy-guard'),
        '--property',
        'reordering',
        '--seed',
        '7',
        '--num-runs',
        '10',
      ]);
      expect(failedClauses(run.report), run.stdout.slice(0, 3000)).toEqual([]);
      expect(run.code).toBe(0);
    });
  },
);
