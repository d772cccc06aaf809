import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTsx } from '../run-cli.js';

const RUNNER = path.join(import.meta.dirname, 'fixtures/close-then-late-output.ts');

describe('a child printing after its supervisor started closing the log (issue 12, item 10)', () => {
  it(
    'does not kill the supervising process with ERR_STREAM_WRITE_AFTER_END',
    { timeout: 60_000 },
    async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'ck-late-output-'));
      const logFile = path.join(dir, 'projector.log');
      // One libuv I/O thread, so holding it keeps the supervisor's log ending while the child prints.
      const run = await runTsx(RUNNER, [logFile, path.join(dir, 'io-hold.fifo')], {
        env: { ...process.env, UV_THREADPOOL_SIZE: '1' },
      });
      expect(run.stderr).not.toContain('ERR_STREAM_WRITE_AFTER_END');
      expect(run.code, run.stderr.slice(-2000)).toBe(0);
      const seen = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as { lateDoneSeen?: boolean };
      // The situation happened: the leftover process, started only by the stop, printed to its end.
      expect(seen).toEqual({ lateDoneSeen: true });
      expect(readFileSync(logFile, 'utf8')).toMatch(/^\[projector start 0\] working 1$/m);
    },
  );
});
