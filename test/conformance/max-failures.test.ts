import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../../harness/services/index.js';
import { startKitEnv } from './kit-env.js';
import { fixtureCmd, runKit } from './run-kit.js';

// guard-ts-only breaks the tie-break, so reordering and bounded-reordering (run in that order)
// both fail on the same clauses: the second one only repeats the first. A first wave of 16 runs
// makes each of them meet equal timestamps whatever the generators draw.
const SAME_DEFECT = [
  '--projector-cmd',
  fixtureCmd('guard-ts-only'),
  '--seed',
  '1',
  '--num-runs',
  '16',
  '--concurrency',
  '16',
];

function clausesOf(p: { violations: { clauseId: string }[] }): string[] {
  return [...new Set(p.violations.map((v) => v.clauseId))];
}

describe('one defect failing several properties (issue 12, item 7)', () => {
  let env: Services;
  beforeAll(async () => {
    env = await startKitEnv();
  });
  afterAll(async () => {
    await env?.stop();
  });

  it(
    '--max-failures 1 stops after the first failed property and says why',
    { timeout: 180_000 },
    async () => {
      const run = await runKit(env, [
        '--target',
        'projector',
        ...SAME_DEFECT,
        '--property',
        'reordering,bounded-reordering,valkey',
        '--max-shrinks',
        '5',
        '--max-failures',
        '1',
      ]);
      expect(run.code, run.stderr.slice(-2000)).toBe(1);
      const properties = run.report?.properties ?? [];
      expect(properties.map((p) => p.name)).toEqual(['reordering', 'bounded-reordering', 'valkey']);
      const firstFailed = properties.findIndex((p) => p.status === 'failed');
      expect(firstFailed, run.stdout.slice(-3000)).toBeGreaterThanOrEqual(0);
      const later = properties.slice(firstFailed + 1);
      expect(later.length).toBeGreaterThan(0);
      for (const p of later) {
        expect(p.status, p.name).toBe('skipped');
        expect(p.reason, p.name).toMatch(/--max-failures 1 reached/);
        expect(p.executions, p.name).toBe(0);
        expect(run.stdout).toMatch(new RegExp(`skipped\\s+${p.name}\\b.*--max-failures 1 reached`));
      }
      expect(properties.filter((p) => p.status === 'failed')).toHaveLength(1);
    },
  );

  it(
    'by default a failure whose main symptom an earlier property shrank is reported unshrunk, and the report says so',
    { timeout: 180_000 },
    async () => {
      const run = await runKit(env, [
        '--target',
        'projector',
        ...SAME_DEFECT,
        '--property',
        'reordering,bounded-reordering',
        '--max-shrinks',
        '5',
      ]);
      expect(run.code, run.stderr.slice(-2000)).toBe(1);
      const properties = run.report?.properties ?? [];
      const failed = properties.filter((p) => p.status === 'failed');
      expect(failed.length, run.stdout.slice(-3000)).toBe(2);
      const shrunk = new Map<string, string[]>();
      const unshrunk: string[] = [];
      for (const p of failed) {
        const clauses = clausesOf(p);
        expect(clauses.length, p.name).toBeGreaterThan(0);
        if (p.notShrunk === undefined) {
          for (const c of clauses) shrunk.set(c, [...(shrunk.get(c) ?? []), p.name]);
          continue;
        }
        // Reported unshrunk only for the main symptom of a defect an earlier property shrank.
        unshrunk.push(p.name);
        const [, clause, by] =
          /^not shrunk: (\S+) already failed and was shrunk in (.+)$/.exec(p.notShrunk) ?? [];
        expect(clause, p.notShrunk).toBeDefined();
        expect(clauses).toContain(clause);
        expect(shrunk.get(clause ?? '')).toContain(by);
        // Still reported in full: the failing run found, its schedule file and rerun line.
        expect(p.counterexample?.executed.steps.length ?? 0, p.name).toBeGreaterThan(0);
        expect(run.report?.scheduleFiles[p.name], p.name).toBeTruthy();
        expect(run.stdout).toContain(p.notShrunk);
      }
      // The situation the test is about must have happened: the same defect failed both properties.
      expect(unshrunk, run.stdout.slice(-3000)).toEqual(['bounded-reordering']);
      const note = run.report?.notes.find((n) => n.includes('unshrunk'));
      expect(note).toContain('bounded-reordering');
    },
  );

  it(
    'a failure found in the first wave stops exploration; --keep-going explores every property to full depth',
    { timeout: 240_000 },
    async () => {
      // drop-invalid only shows on bad input: oracle never sends any, so it passes.
      const args = [
        '--target',
        'projector',
        '--projector-cmd',
        fixtureCmd('drop-invalid'),
        '--seed',
        '7',
        '--num-runs',
        '12',
        '--concurrency',
        '4',
        '--property',
        'oracle,bad-input',
        '--max-shrinks',
        '0',
        // drop-invalid's runs lack DLQ entries: waiting for them only slows the test.
        '--give-up-ms',
        '1000',
      ];
      const fast = await runKit(env, args);
      expect(fast.code, fast.stderr.slice(-2000)).toBe(1);
      const byName = new Map(fast.report?.properties.map((p) => [p.name, p]));
      expect(byName.get('bad-input')?.status, fast.stdout.slice(-3000)).toBe('failed');
      const oracle = byName.get('oracle');
      expect(oracle?.status).toBe('passed');
      expect(oracle?.runs).toBe(4);
      expect(oracle?.reason).toMatch(/^explored 4 of 12 runs: exploration stopped after bad-input failed/);
      // The JSON report lists every execution, each with the clauses it failed.
      expect(oracle?.executionLog?.map((e) => `${e.phase}:${e.failed.join(',')}`)).toEqual(
        Array<string>(4).fill('run:'),
      );
      const badInput = byName.get('bad-input');
      expect(badInput?.executionLog).toHaveLength(badInput?.executions ?? -1);
      expect(badInput?.executionLog?.some((e) => e.failed.includes('CT-4.dlq'))).toBe(true);
      expect(new Set(badInput?.executionLog?.map((e) => e.token)).size).toBe(badInput?.executions);
      expect(fast.report?.notes.some((n) => n.startsWith('exploration stopped at the first failure'))).toBe(
        true,
      );

      const deep = await runKit(env, [...args, '--keep-going']);
      expect(deep.code, deep.stderr.slice(-2000)).toBe(1);
      const deepOracle = deep.report?.properties.find((p) => p.name === 'oracle');
      expect(deepOracle?.runs).toBe(12);
      expect(deepOracle?.executionLog).toHaveLength(12);
      expect(deepOracle?.reason).toBeUndefined();
      expect(deep.report?.properties.find((p) => p.name === 'bad-input')?.status).toBe('failed');
    },
  );

  it(
    'a projector that stopped consuming: later properties are not run, and the report says why',
    { timeout: 180_000 },
    async () => {
      const run = await runKit(env, [
        '--target',
        'projector',
        '--projector-cmd',
        fixtureCmd('poison-halts'),
        '--seed',
        '3',
        '--num-runs',
        '2',
        '--property',
        'poison,valkey',
        '--max-shrinks',
        '0',
        '--give-up-ms',
        '1000',
      ]);
      expect(run.code, run.stderr.slice(-2000)).toBe(1);
      const byName = new Map(run.report?.properties.map((p) => [p.name, p]));
      expect(byName.get('poison')?.status, run.stdout.slice(-3000)).toBe('failed');
      const valkey = byName.get('valkey');
      expect(valkey?.status).toBe('skipped');
      expect(valkey?.executions).toBe(0);
      expect(valkey?.reason).toMatch(
        /^not run: the projector stopped consuming during poison's runs \(the contract's durable consumer acknowledged nothing past stream sequence \d+/,
      );
      expect(run.stdout).toMatch(/skipped\s+valkey\b.*stopped consuming/);
    },
  );
});
