import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const RUNNER = path.join(import.meta.dirname, 'fixtures/close-then-late-output.ts');

/** Runs `file` with tsx in its own Node process with one libuv I/O thread. */
async function runNode(
  file: string,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', file, ...args], {
    cwd: ROOT,
    env: { ...process.env, UV_THREADPOOL_SIZE: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, stdout, stderr };
}

describe('a child printing after its supervisor started closing the log (issue 12, item 10)', () => {
  it(
    'does not kill the supervising process with ERR_STREAM_WRITE_AFTER_END',
    { timeout: 60_000 },
    async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'ck-late-output-'));
      const logFile = path.join(dir, 'projector.log');
      const run = await runNode(RUNNER, [logFile, path.join(dir, 'io-hold.fifo')]);
      expect(run.stderr).not.toContain('ERR_STREAM_WRITE_AFTER_END');
      expect(run.code, run.stderr.slice(-2000)).toBe(0);
      const seen = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as { lateDoneSeen?: boolean };
      // The situation happened: the leftover process, started only by the stop, printed to its end.
      expect(seen).toEqual({ lateDoneSeen: true });
      expect(readFileSync(logFile, 'utf8')).toMatch(/^\[projector start 0\] working 1$/m);
    },
  );
});
