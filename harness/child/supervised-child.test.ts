import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ChildProcessError } from './child-error.js';
import { kitCommand } from './kit-command.js';
import { SupervisedChild } from './supervised-child.js';

const tmp = (): string => mkdtempSync(path.join(os.tmpdir(), 'ck-child-test-'));

describe('SupervisedChild', () => {
  it('reports a child that dies before it is ready with its exit and the tail of its log', async () => {
    const child = new SupervisedChild({
      name: 'projector',
      command: `sh -c 'echo "Error: Cannot find module /nope/main.js" >&2; exit 3'`,
      env: process.env,
    });
    child.start();
    const error = await child
      .waitReady(async () => false, 60_000, 'open its consumer')
      .catch((e: unknown) => e);
    await child.close();
    expect(error).toBeInstanceOf(ChildProcessError);
    expect((error as ChildProcessError).code).toBe('CHILD_EXITED');
    expect((error as ChildProcessError).message).toContain('code 3');
    expect((error as ChildProcessError).logTail.join('\n')).toContain('Cannot find module');
    expect(child.failure()?.code).toBe('CHILD_EXITED');
  });

  it('does not count its own kill -9 as an exit, and counts a later crash', async () => {
    const child = new SupervisedChild({ name: 'projector', command: 'sleep 30', env: process.env });
    child.start();
    const first = child.pid;
    await child.crash();
    expect(child.counts).toEqual({ starts: 2, kills: 1 });
    expect(child.pid).not.toBe(first);
    expect(child.unexpectedExits).toEqual([]);
    process.kill(child.pid as number, 'SIGKILL');
    while (child.unexpectedExits.length === 0) await new Promise((r) => setTimeout(r, 20));
    expect(child.unexpectedExits[0]?.signal).toBe('SIGKILL');
    await child.close();
  });

  it('drops output that arrives after the log is closed instead of failing', async () => {
    const dir = tmp();
    const logFile = path.join(dir, 'child.log');
    // On SIGTERM it exits at once, leaving a grandchild that prints on its stdout 300 ms later.
    const child = new SupervisedChild({
      name: 'noisy',
      command: `sh -c 'trap "(sleep 0.3; echo late) & exit 0" TERM; echo started; while :; do sleep 0.05; done'`,
      env: process.env,
      logFile,
    });
    child.start();
    await child.waitReady(async () => child.logTail().includes('started'), 10_000, 'print');
    await child.close();
    await new Promise((r) => setTimeout(r, 800));
    expect(child.logTail()).toContain('late');
    const log = readFileSync(logFile, 'utf8');
    expect(log).toContain('started');
    expect(log).not.toContain('late');
  });
});

describe('kitCommand', () => {
  it('runs this copy of the kit without depending on process.argv or the working directory', () => {
    const { file, args } = kitCommand(['--help']);
    const out = execFileSync(file, args, { cwd: os.tmpdir(), encoding: 'utf8' });
    expect(out).toContain('continuum-kit');
    expect(out).toContain('conformance');
  });
});
