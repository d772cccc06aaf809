import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';

/** How to run the projector under fault: a shell command, run with `exec` in its own process group. */
export interface ProjectorChildOptions {
  command: string;
  env: NodeJS.ProcessEnv;
  /** Appends the projector's stdout and stderr here. */
  logFile?: string;
  /**
   * Restart the projector when it exits on its own, after `restartDelayMs`, as a supervisor
   * (systemd, Kubernetes) would: a projector that cannot start while PostgreSQL is down is
   * restarted, and each such exit is counted. Default true.
   */
  supervise?: boolean;
  restartDelayMs?: number;
}

/**
 * The projector as a child process the fault executor can SIGKILL and start again, with its
 * pid for memory sampling. `exec` makes the shell become the projector, so the pid is its own.
 */
export class ProjectorChild {
  #child: ChildProcess | undefined;
  #log: WriteStream | undefined;
  #starts = 0;
  #kills = 0;
  #metricsUrl: string | undefined;
  #exits: string[] = [];
  #wanted = false;
  #restart: NodeJS.Timeout | undefined;

  constructor(private readonly options: ProjectorChildOptions) {
    if (options.logFile !== undefined) this.#log = createWriteStream(options.logFile, { flags: 'a' });
  }

  get pid(): number | undefined {
    const c = this.#child;
    return c !== undefined && c.exitCode === null && c.signalCode === null ? c.pid : undefined;
  }

  /** The running projector's Prometheus endpoint, when it announced one. */
  get metricsUrl(): string | undefined {
    return this.pid === undefined ? undefined : this.#metricsUrl;
  }

  /** Times started, and times killed by the executor. */
  get counts(): { starts: number; kills: number } {
    return { starts: this.#starts, kills: this.#kills };
  }

  /** Exits the executor did not cause (a crash, or a failed start), oldest first. */
  get unexpectedExits(): readonly string[] {
    return this.#exits;
  }

  start(): void {
    this.#wanted = true;
    clearTimeout(this.#restart);
    if (this.pid !== undefined) return;
    const child = spawn('sh', ['-c', `exec ${this.options.command}`], {
      env: this.options.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const tag = `[projector start ${this.#starts}] `;
    this.#metricsUrl = undefined;
    child.stdout?.on('data', (d: Buffer) => {
      const text = d.toString();
      this.#log?.write(tag + text);
      // The reference projector announces its /metrics URL on stdout when started.
      const m = /"metrics":"(http:\/\/[^"]+)"/.exec(text);
      if (m !== null) this.#metricsUrl = m[1];
    });
    child.stderr?.on('data', (d: Buffer) => this.#log?.write(tag + d.toString()));
    child.once('exit', (code, signal) => {
      if (!this.#wanted || this.#child !== child) return;
      this.#exits.push(`exited on its own (${signal ?? `code ${String(code)}`}) after start ${this.#starts}`);
      if (this.options.supervise === false) return;
      this.#restart = setTimeout(() => {
        if (this.#wanted && this.pid === undefined) this.start();
      }, this.options.restartDelayMs ?? 500);
    });
    this.#child = child;
    this.#starts++;
  }

  /** SIGKILL of the whole process group, as a real crash; resolves once it has exited. */
  async kill(): Promise<void> {
    this.#kills++;
    await this.stop('SIGKILL');
  }

  /** Sends `signal` to the process group (SIGKILL after 5 s) and waits for the exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    this.#wanted = false;
    clearTimeout(this.#restart);
    const c = this.#child;
    if (c === undefined || c.pid === undefined || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
    const send = (s: NodeJS.Signals): void => {
      try {
        process.kill(-(c.pid as number), s);
      } catch {
        // already gone
      }
    };
    send(signal);
    const timer = setTimeout(() => send('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }

  /** Resident set size of the running projector in bytes (Linux /proc), else undefined. */
  rssBytes(): number | undefined {
    const pid = this.pid;
    if (pid === undefined) return undefined;
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      return m === null ? undefined : Number(m[1]) * 1024;
    } catch {
      return undefined;
    }
  }

  async close(): Promise<void> {
    await this.stop();
    await new Promise<void>((r) => (this.#log === undefined ? r() : this.#log.end(r)));
  }
}
