import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { ChildProcessError } from './child-error.js';
import { kitCommand } from './kit-command.js';
import { SupervisedChild } from './supervised-child.js';

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
});

describe('kitCommand', () => {
  it('runs this copy of the kit without depending on process.argv or the working directory', () => {
    const { file, args } = kitCommand(['--help']);
    const out = execFileSync(file, args, { cwd: os.tmpdir(), encoding: 'utf8' });
    expect(out).toContain('continuum-kit');
    expect(out).toContain('conformance');
  });
});
