import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

// The README's "run the reference" command, end to end on real services (found or started).
describe('continuum-kit ref up --demo', () => {
  it('exports and projects the demo episodes, keeping sensitive ones local', async () => {
    const { stdout } = await run('npx', ['tsx', 'cli/main.ts', 'ref', 'up', '--demo', '70'], {
      env: process.env,
      timeout: 110_000,
    });
    const lines = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ event: 'up' });
    const demo = lines.find((l) => l.event === 'demo');
    // The demo marks every 7th episode sensitive (blocked by the default policy) and deletes every 5th.
    expect(demo).toMatchObject({ ok: true, episodes: 70, rows: 60, deleted_rows: 12 });
    expect(demo?.projected_events).toBe(demo?.published);
  }, 120_000);
});
