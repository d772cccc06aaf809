import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ConformanceReport } from '../../conformance/report/conformance-report.js';
import { runCli } from '../run-cli.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

describe('continuum-kit conformance run --target reference', () => {
  it(
    'starts its own services, the reference projector and producer, and passes',
    { timeout: 400_000 },
    async () => {
      const out = mkdtempSync(path.join(os.tmpdir(), 'ck-reference-'));
      const { code, stdout, stderr } = await runCli([
        'conformance',
        'run',
        '--target',
        'reference',
        '--seed',
        '21',
        '--num-runs',
        '3',
        '--out',
        out,
      ]);
      expect(code, `${stdout}\n${stderr.slice(-2000)}`).toBe(0);
      const report = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')) as ConformanceReport;
      expect(report.properties.map((p) => `${p.name}:${p.status}`)).toEqual(
        expect.arrayContaining(['producer:passed', 'poison:passed', 'producer-bus-down-start:passed']),
      );
      expect(report.clauses.find((c) => c.id === 'CT-4.poison')?.status).toBe('passed');
      const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
        version: string;
      };
      expect(report.kitVersion).toBe(manifest.version);
      expect(report.properties.every((p) => p.status === 'passed')).toBe(true);
      expect(report.clauses.find((c) => c.id === 'CT-3.msg-id')?.status).toBe('passed');
      // The corruption-sweep property sends the whole corruption catalog, one kind per run: every
      // validator clause is tested against the projector, whatever the seed and run count.
      // Oversize messages never reach the projector (the broker refuses them); CT-3.size rests on
      // the poison property's too-deep bodies, which do.
      const validator = report.clauses.filter((c) => c.check === 'validator');
      expect(validator.filter((c) => c.status !== 'passed').map((c) => `${c.id}: ${c.note}`)).toEqual([]);
      // No clause passes without evidence.
      for (const c of report.clauses)
        if (c.status === 'passed') expect(c.evidence, `${c.id}: ${c.note}`).toBeGreaterThan(0);
      expect(existsSync(path.join(out, 'junit.xml'))).toBe(true);
    },
  );
});
