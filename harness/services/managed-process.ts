import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import type { Logger } from '../logger.js';
import { findSystemTool } from './find-binary.js';

/** How to launch one server process. */
export interface ProcessSpec {
  /** Short name for messages and logs, e.g. 'nats-server'. */
  name: string;
  command: string;
  args: readonly string[];
  cwd?: string;
  /** Run as this OS user (needed for postgres when we are root). */
  user?: string;
  /** Graceful stop signal; also sent if this Node process dies (setpriv --pdeathsig). */
  stopSignal: NodeJS.Signals;
  /** Sent from the synchronous 'exit' handler, where waiting is impossible. */
  exitSignal: NodeJS.Signals;
  logger: Logger;
}

const LOG_TAIL_CHARS = 4000;
const live = new Set<ManagedProcess>();
const tempDirs = new Set<string>();
let exitHookInstalled = false;

// Last resort: kill whatever is still running when Node exits, and remove the temp dirs.
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const managed of live) managed.killNow();
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  });
}

/** Registers a temp dir to remove at process exit if nobody removed it before. */
export function trackTempDir(dir: string, track = true): void {
  installExitHook();
  if (track) tempDirs.add(dir);
  else tempDirs.delete(dir);
}

/** Wraps a command so that it runs as `user` and dies with this process, using setpriv when present. */
function wrap(spec: ProcessSpec): { command: string; args: string[] } {
  const setpriv = findSystemTool('setpriv');
  if (setpriv !== undefined) {
    const who =
      spec.user === undefined ? [] : [`--reuid=${spec.user}`, `--regid=${spec.user}`, '--init-groups'];
    const signal = spec.stopSignal.replace(/^SIG/, '');
    return { command: setpriv, args: [...who, '--pdeathsig', signal, spec.command, ...spec.args] };
  }
  const runuser = spec.user === undefined ? undefined : findSystemTool('runuser');
  if (spec.user !== undefined && runuser !== undefined) {
    return { command: runuser, args: ['-u', spec.user, '--', spec.command, ...spec.args] };
  }
  return { command: spec.command, args: [...spec.args] };
}

/**
 * One child server process: output kept as a short tail for error messages, stopped with its
 * graceful signal (then SIGKILL after a timeout), and killed at Node exit if still running.
 */
export class ManagedProcess {
  readonly spec: ProcessSpec;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private tail = '';
  private exitInfo: string | undefined;

  constructor(spec: ProcessSpec) {
    this.spec = spec;
  }

  /** Spawns the process; returns once it is spawned (not ready: see waitUntilReady). */
  async start(): Promise<void> {
    if (this.running) return;
    installExitHook();
    const { command, args } = wrap(this.spec);
    this.tail = '';
    this.exitInfo = undefined;
    const child = spawn(command, args, { cwd: this.spec.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const keep = (chunk: Buffer): void => {
      this.tail = (this.tail + chunk.toString('utf8')).slice(-LOG_TAIL_CHARS);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitInfo = signal === null ? `exit code ${String(code)}` : `signal ${signal}`;
        live.delete(this);
        resolve();
      });
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (error) => {
        this.exitInfo = `spawn failed: ${error.message}`;
        reject(error);
      });
    });
    live.add(this);
    this.spec.logger.debug(
      { pid: child.pid, command: this.spec.command, args: this.spec.args },
      `${this.spec.name} started`,
    );
  }

  /** The pid of the running server, or undefined once it has exited. */
  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  /** True from spawn until exit. */
  get running(): boolean {
    return this.child !== undefined && this.exitInfo === undefined;
  }

  /** How it exited ('exit code 1', 'signal SIGKILL'), while not running. */
  get exitDescription(): string | undefined {
    return this.exitInfo;
  }

  /** Last few KB of its stdout and stderr, for error messages. */
  get logTail(): string {
    return this.tail.trim();
  }

  /** Resolves when the process has exited. */
  waitForExit(): Promise<void> {
    return this.exited;
  }

  /** Sends the graceful signal (or `signal`), waits up to `timeoutMs`, then SIGKILL. */
  async stop(options: { signal?: NodeJS.Signals; timeoutMs?: number } = {}): Promise<void> {
    const child = this.child;
    if (child === undefined || !this.running) return;
    child.kill(options.signal ?? this.spec.stopSignal);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      this.exited.then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), options.timeoutMs ?? 15_000);
      }),
    ]);
    clearTimeout(timer);
    if (timedOut) {
      this.spec.logger.warn(
        { pid: child.pid },
        `${this.spec.name} ignored ${options.signal ?? this.spec.stopSignal}; killing`,
      );
      child.kill('SIGKILL');
      await this.exited;
    }
    this.spec.logger.debug({ pid: child.pid, exit: this.exitInfo }, `${this.spec.name} stopped`);
  }

  /** Synchronous kill for the exit handler. */
  killNow(): void {
    if (this.running) this.child?.kill(this.spec.exitSignal);
  }
}
