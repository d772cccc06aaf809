import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../../harness/services/index.js';
import { startKitEnv } from './kit-env.js';
import { failedClauses, fixtureCmd, runKit } from './run-kit.js';

describe('the kit passes the correct fixture (no --break) and writes every report', () => {
  let env: Services;
  beforeAll(async () => {
    env = await startKitEnv();
  });
  afterAll(async () => {
    await env?.stop();
  });

  it('every property, including kill -9 with two instances, passes', { timeout: 600_000 }, async () => {
    const run = await runKit(env, [
      '--target',
      'projector',
      '--projector-cmd',
      fixtureCmd(),
      '--projector-instances',
      '2',
      '--seed',
      '11',
      '--num-runs',
      '4',
    ]);
    expect(failedClauses(run.report), run.stdout.slice(0, 4000)).toEqual([]);
    expect(run.code, run.stderr.slice(-2000)).toBe(0);
    const report = run.report;
    expect(report?.conformant).toBe(true);
    expect(report?.properties.filter((p) => p.status === 'passed').map((p) => p.name)).toEqual([
      'oracle',
      'duplicates',
      'reordering',
      'bounded-reordering',
      'tenant-isolation',
      'bad-input',
      'poison',
      'valkey',
      'crash',
    ]);
    // One row per clause of the spec, and the reports are all there.
    expect(report?.clauses.length).toBeGreaterThan(50);
    expect(report?.clauses.find((c) => c.id === 'CT-4.guard')?.status).toBe('passed');
    expect(report?.clauses.find((c) => c.id === 'CT-4.poison')?.status).toBe('passed');
    expect(report?.clauses.find((c) => c.id === 'CT-1.scope')?.status).toBe('not-tested');
    for (const f of ['report.json', 'junit.xml', 'report.html'])
      expect(existsSync(path.join(run.out, f))).toBe(true);
    const html = readFileSync(path.join(run.out, 'report.html'), 'utf8');
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/<script|<link|src="http/);
    expect(readFileSync(path.join(run.out, 'junit.xml'), 'utf8')).toContain('CT-4.dedup');
  });
});
