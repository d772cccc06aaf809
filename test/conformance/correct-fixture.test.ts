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
      'corruption-sweep',
      'poison',
      'valkey',
      'crash',
      // Its stale events are named in its output: CT-4.stale's log half.
      'stale-log',
    ]);
    // One row per clause of the spec, and the reports are all there.
    expect(report?.clauses.length).toBeGreaterThan(50);
    expect(report?.clauses.find((c) => c.id === 'CT-4.guard')?.status).toBe('passed');
    expect(report?.clauses.find((c) => c.id === 'CT-4.poison')?.status).toBe('passed');
    expect(report?.clauses.find((c) => c.id === 'CT-1.scope')?.status).toBe('not-tested');
    // No clause is passed without evidence: a check that could fail it saw its situation.
    for (const c of report?.clauses ?? [])
      if (c.status === 'passed') expect(c.evidence, `${c.id}: ${c.note}`).toBeGreaterThan(0);
    for (const f of ['report.json', 'junit.xml', 'report.html'])
      expect(existsSync(path.join(run.out, f))).toBe(true);
    const html = readFileSync(path.join(run.out, 'report.html'), 'utf8');
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/<script|<link|src="http/);
    expect(readFileSync(path.join(run.out, 'junit.xml'), 'utf8')).toContain('CT-4.dedup');
  });

  it(
    'one instance: stale outcomes are judged in stream order; a partial run says which clauses were not selected',
    { timeout: 300_000 },
    async () => {
      const run = await runKit(env, [
        '--target',
        'projector',
        '--projector-cmd',
        fixtureCmd(),
        '--property',
        'reordering',
        '--seed',
        '5',
        '--num-runs',
        '6',
      ]);
      expect(failedClauses(run.report), run.stdout.slice(0, 4000)).toEqual([]);
      expect(run.code, run.stderr.slice(-2000)).toBe(0);
      const stale = run.report?.clauses.find((c) => c.id === 'CT-4.stale');
      expect(stale?.status, stale?.note).toBe('passed');
      expect(stale?.evidence).toBeGreaterThan(0);
      const notSelected = run.report?.clauses.filter((c) => c.status === 'not-selected') ?? [];
      // Clauses whose situation the selected property never creates (mismatches, kill -9).
      expect(notSelected.map((c) => c.id)).toContain('CT-4.subject-match');
      expect(notSelected.map((c) => c.id)).toContain('CT-4.ack-after-commit');
      expect(notSelected.map((c) => c.id)).not.toContain('CT-4.guard');
      // Producer-only clauses are not selected by the target, which does not make the run partial.
      const producerOnly = notSelected.filter((c) => c.side === 'producer');
      expect(producerOnly.map((c) => c.id)).toContain('CT-3.msg-id');
      const leftOut = notSelected.length - producerOnly.length;
      expect(run.stdout).toContain(`CONFORMANT (partial: ${leftOut} clauses not selected)`);
      expect(readFileSync(path.join(run.out, 'report.html'), 'utf8')).toContain(
        `passed (partial: ${leftOut} clauses not selected)`,
      );
    },
  );

  it(
    'a projector that buffers its output until a graceful stop is not failed for the log lines a kill -9 would lose',
    { timeout: 300_000 },
    async () => {
      const run = await runKit(env, [
        '--target',
        'projector',
        '--projector-cmd',
        `${fixtureCmd()} --buffer-output`,
        '--property',
        'reordering,crash',
        '--seed',
        '5',
        '--num-runs',
        '6',
      ]);
      expect(failedClauses(run.report), run.stdout.slice(0, 4000)).toEqual([]);
      expect(run.code, run.stderr.slice(-2000)).toBe(0);
      // The situation: stale events were seen before the kills, their lines held in the buffer.
      const log = readFileSync(path.join(run.out, 'projector.log'), 'utf8');
      const staleLog = run.report?.properties.find((p) => p.name === 'stale-log');
      expect(staleLog?.status).toBe('passed');
      expect(staleLog?.evidence?.['CT-4.stale'] ?? 0).toBeGreaterThan(0);
      // The kit restarted it gracefully before the first kill -9: two starts log stale lines.
      const startsWithStaleLines = new Set(
        [...log.matchAll(/^\[projector under test start (\d+)\] stale update not applied/gm)].map(
          (m) => m[1],
        ),
      );
      expect(startsWithStaleLines.size).toBeGreaterThanOrEqual(1);
      expect(run.report?.properties.find((p) => p.name === 'crash')?.status).toBe('passed');
    },
  );
});
