import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startServices } from '../../harness/services/index.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/start-and-exit.ts', import.meta.url));
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

// A zombie (exited, not yet reaped by whoever inherited it) counts as gone.
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

// Runs the fixture; resolves with the server pids it printed, and a way to kill it.
function runFixture(
  mode: 'exit' | 'hold',
  tmpRoot: string,
): Promise<{ pids: number[]; kill(): void; exited: Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, mode], {
    env: { ...process.env, DATABASE_URL, CK_TEST_TMP_ROOT: tmpRoot },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line !== undefined) {
        const pids = Object.values((JSON.parse(line) as { pids: Record<string, number> }).pids);
        resolve({ pids, kill: () => child.kill('SIGKILL'), exited });
      }
    });
    child.once('exit', (code) =>
      reject(new Error(`fixture exited (${String(code)}) before printing pids: ${out}`)),
    );
  });
}

async function allGone(pids: number[]): Promise<number[]> {
  // The kernel delivers the signal at once; the servers need a moment to exit.
  for (let i = 0; i < 100 && pids.some(alive); i += 1) await sleep(50);
  return pids.filter(alive);
}

describe('no server outlives the process that started it', () => {
  let tmpRoot: string;
  beforeEach(async () => {
    tmpRoot = await mkdtemp(path.join(os.tmpdir(), 'ck-exit-test-'));
  });
  afterEach(async () => {
    await rm(tmpRoot, { recursive: true, force: true });
  });

  it('exit without stop(): the exit hook kills the servers and removes the temp dir', async () => {
    const run = await runFixture('exit', tmpRoot);
    expect(run.pids).toHaveLength(2);
    await run.exited;
    expect(await allGone(run.pids)).toEqual([]);
    expect(await readdir(tmpRoot)).toEqual([]);
  });

  it('SIGKILL of the owner: the parent-death signal stops the servers; the next run sweeps the dir', async () => {
    const run = await runFixture('hold', tmpRoot);
    expect(run.pids.every(alive)).toBe(true);
    run.kill();
    await run.exited;
    expect(await allGone(run.pids)).toEqual([]);
    const orphans = await readdir(tmpRoot);
    expect(orphans).toHaveLength(1);
    const next = await startServices({
      env: {
        PATH: process.env.PATH,
        DATABASE_URL,
        VALKEY_URL: process.env.VALKEY_URL ?? 'redis://127.0.0.1:6379',
      },
      tmpRoot,
    });
    const during = await readdir(tmpRoot);
    await next.stop();
    expect(during).toHaveLength(1);
    expect(during).not.toContain(orphans[0]);
    expect(await readdir(tmpRoot)).toEqual([]);
  });
});
