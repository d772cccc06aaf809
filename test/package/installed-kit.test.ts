import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

/**
 * The kit as a team installs it: `.ci/run` packs the kit and the contract package it depends on,
 * installs both tarballs into an empty folder and names that folder in CK_INSTALLED_KIT. Without it
 * (a plain `npm test` from a clone) there is no installed copy to test.
 */
const installed = process.env.CK_INSTALLED_KIT;

interface FaultPart {
  status: string;
  totals: { faultsInjected: number; episodesWritten: number; lost: number };
}

describe.skipIf(installed === undefined)('the installed package (CK_INSTALLED_KIT)', () => {
  it('runs the reference under faults and a short soak with nothing lost', async () => {
    const dir = installed as string;
    const out = mkdtempSync(path.join(os.tmpdir(), 'ck-installed-faults-'));
    const env = { ...process.env };
    // The reference gets its own servers; a shared DATABASE_URL would not be used anyway.
    delete env.DATABASE_URL;
    const result = await run(
      'npx',
      [
        '--no-install',
        'continuum-kit',
        'conformance',
        'run',
        '--target',
        'reference',
        '--property',
        'duplicates,crash',
        '--num-runs',
        '2',
        '--faults',
        '--fault-runs',
        '1',
        '--soak-minutes',
        '0.5',
        '--out',
        out,
      ],
      { cwd: dir, env, timeout: 540_000, maxBuffer: 64 * 2 ** 20 },
    ).then(
      (r) => ({ code: 0, ...r }),
      (e: { code?: number; stdout?: string; stderr?: string }) => ({
        code: e.code ?? -1,
        stdout: e.stdout ?? '',
        stderr: e.stderr ?? '',
      }),
    );
    const tail = result.stderr.split('\n').slice(-30).join('\n');
    expect(result.code, `${result.stdout}\n${tail}`).toBe(0);
    const faults = JSON.parse(readFileSync(path.join(out, 'faults.json'), 'utf8')) as {
      faults: FaultPart;
      cluster?: FaultPart;
      soak?: { ok: boolean; figures: { episodesWritten: number; lost: number } };
    };
    process.stdout.write(
      `[installed-kit] single ${JSON.stringify(faults.faults.totals)} cluster ${JSON.stringify(faults.cluster?.totals)} soak ${JSON.stringify(faults.soak?.figures)}\n`,
    );
    for (const part of [faults.faults, faults.cluster]) {
      expect(part?.status).toBe('passed');
      expect(part?.totals.faultsInjected).toBeGreaterThan(0);
      expect(part?.totals.episodesWritten).toBeGreaterThan(0);
      expect(part?.totals.lost).toBe(0);
    }
    expect(faults.soak?.ok).toBe(true);
    expect(faults.soak?.figures.episodesWritten).toBeGreaterThan(0);
    expect(faults.soak?.figures.lost).toBe(0);
  }, 600_000);
});
