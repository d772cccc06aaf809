import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ConformanceReport } from '../../conformance/report/conformance-report.js';
import { runCli } from '../run-cli.js';
import { LOADED_CI } from './loaded-ci.js';

describe('conformance CLI: --faults, soak, replay-faults', () => {
  it(
    'run --target reference --faults (1 schedule each, 6 s soak) merges fault clauses into the report',
    { timeout: 240_000 },
    async () => {
      const out = mkdtempSync(path.join(os.tmpdir(), 'ck-cli-faults-'));
      const r = await runCli([
        'conformance',
        'run',
        '--target',
        'reference',
        '--property',
        'oracle',
        '--num-runs',
        '1',
        '--seed',
        '5',
        '--faults',
        '--fault-runs',
        '1',
        '--soak-minutes',
        '0.1',
        // Test files run side by side on 2 cores: see loaded-ci.ts.
        '--local-write-bound-ms',
        String(LOADED_CI.localWriteBoundMs),
        '--out',
        out,
      ]);
      process.stdout.write(`[cli-faults] exit ${r.code}\n${r.stdout}`);
      expect(r.stderr).toContain('faults: single node');
      expect(r.code).toBe(0);
      for (const f of ['report.json', 'report.html', 'junit.xml', 'faults.json', 'faults.html'])
        expect(existsSync(path.join(out, f))).toBe(true);
      const report = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')) as ConformanceReport;
      const row = (id: string) => report.clauses.find((c) => c.id === id);
      // The fault suite judged these; the bus-down start check passed CT-6.export-retry too, and the
      // merged note keeps its evidence beside the fault suite's.
      for (const id of ['CT-6.export-retry', 'CT-4.upsert', 'CT-6.local-writes']) {
        expect(row(id)).toMatchObject({ status: 'passed' });
        expect(row(id)?.properties).toContain('faults');
      }
      expect(row('CT-6.export-retry')?.note).toMatch(/producer-bus-down-start \d+; faults: /);
      // Only the fault suite covers these in a run of 'oracle' alone (the crash property did not run).
      expect(row('CT-4.ack-after-commit')).toMatchObject({ status: 'passed' });
      expect(row('CT-4.ack-after-commit')?.note).toMatch(/^faults: /);
      expect(row('CT-9.duplicate-rate')?.note).toMatch(/^faults: /);
      expect(report.notes.some((n) => n.startsWith('faults: 1 generated schedules'))).toBe(true);
      const html = readFileSync(path.join(out, 'report.html'), 'utf8');
      expect(html).toContain('Faults: single node');
      expect(html).toContain('Faults: 3-node cluster');
      expect(html).toContain('<polyline');
      expect(html).toContain('CT-6.export-retry');
    },
  );

  it('replay-faults: a file that is not a fault schedule is a usage error (exit 2)', async () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'ck-cli-faults-'));
    const file = path.join(out, 'x.json');
    await import('node:fs/promises').then((fs) => fs.writeFile(file, '{"kind":"other"}'));
    const r = await runCli(['conformance', 'replay-faults', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('not a continuum-kit fault schedule');
  });
});
