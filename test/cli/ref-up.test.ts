import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

// The README's "run the reference" command, end to end on real services (found or started).
describe('continuum-kit ref up --demo', () => {
  it('exports and projects the demo episodes, keeping sensitive ones local; the store it names replays', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'ck-ref-up-'));
    const db = path.join(dir, 'producer.sqlite');
    const { stdout, stderr } = await run(
      'npx',
      ['tsx', 'cli/main.ts', 'ref', 'up', '--demo', '70', '--db', db],
      {
        env: process.env,
        timeout: 110_000,
      },
    );
    expect(stderr).toContain(`producer store ${db}`);
    const lines = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ event: 'up' });
    const demo = lines.find((l) => l.event === 'demo');
    // The demo marks every 7th episode sensitive (blocked by the default policy) and deletes every 5th.
    expect(demo).toMatchObject({ ok: true, episodes: 70, rows: 60, deleted_rows: 12 });
    expect(demo?.projected_events).toBe(demo?.published);
    // The README's backfill example, against the store ref up kept.
    const backfill = await run(
      'npx',
      ['tsx', 'cli/main.ts', 'ref', 'backfill', '--db', db, '--from-ts', '2020-01-01T00:00:00Z'].concat([
        '--to-ts',
        '2100-01-01T00:00:00Z',
        '--dry-run',
        '--format',
        'json',
      ]),
      { env: process.env, timeout: 60_000 },
    );
    const report = JSON.parse(backfill.stdout) as { dry_run: boolean; to_publish: number; blocked: number };
    expect(report.dry_run).toBe(true);
    expect(report.to_publish).toBe(demo?.published);
    expect(report.to_publish + report.blocked).toBeGreaterThan(0);
    await rm(dir, { recursive: true, force: true });
  }, 180_000);
});
