import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import { CHILD_ERROR_CODES, ChildProcessError } from './child-error.js';
import type { Argv } from './kit-command.js';
import { LineTail, lineSplitter } from './line-tail.js';

/** How to run a {@link SupervisedChild}. */
export interface SupervisedChildOptions {
  /** Used in log tags and messages, e.g. 'projector'. */
  name: string;
  /** A shell command line (run as `exec CMD`, so the pid is the program's) or a program and arguments. */
  command: string | Argv;
  env: NodeJS.ProcessEnv;
  /** Copies to run, each with `CK_INSTANCE` set to its index; default 1. */
  instances?: number;
  /** Appends every line the children print here (tagged with instance and start). */
  logFile?: string;
  /**
   * Restart an instance that exits on its own after `restartDelayMs`, as systemd or Kubernetes
   * would; each such exit is still recorded. Default false.
   */
  supervise?: boolean;
  restartDelayMs?: number;
  /** Lines kept for {@link SupervisedChild.logTail}; default 40. */
  tailLines?: number;
}

/** An exit the kit did not cause: a crash, or a start that failed. */
export interface ChildExit {
  instance: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  atMs: number;
  description: string;
}

interface Instance {
  process: ChildProcess;
  start: number;
}

/**
 * Child processes the kit starts and may kill -9 (the projector under test, the reference
 * projector and producer). Each instance runs in its own process group so a kill reaches
 * everything it spawned, as a real crash would. Exits the kit did not cause are recorded with
 * the tail of the log; output arriving after {@link close} is dropped, never written to a closed log.
 */
export class SupervisedChild {
  readonly #o: SupervisedChildOptions;
  readonly #instances: (Instance | undefined)[];
  readonly #tail: LineTail;
  readonly #exits: ChildExit[] = [];
  readonly #restarts = new Set<NodeJS.Timeout>();
  #log: WriteStream | undefined;
  #wanted = false;
  #starts = 0;
  #kills = 0;
  #crashes: Promise<void> = Promise.resolve();
  #metricsUrl: string | undefined;

  constructor(options: SupervisedChildOptions) {
    this.#o = options;
    this.#instances = Array.from({ length: options.instances ?? 1 }, () => undefined);
    this.#tail = new LineTail(options.tailLines ?? 40);
    if (options.logFile !== undefined) {
      this.#log = createWriteStream(options.logFile, { flags: 'a' });
      this.#log.on('error', () => (this.#log = undefined));
    }
  }

  get name(): string {
    return this.#o.name;
  }

  /** Pid of the first running instance. */
  get pid(): number | undefined {
    return this.pids()[0];
  }

  /** The Prometheus endpoint the reference projector announced on stdout, while it runs. */
  get metricsUrl(): string | undefined {
    return this.pid === undefined ? undefined : this.#metricsUrl;
  }

  /** Instance starts, and kills by the kit. */
  get counts(): { starts: number; kills: number } {
    return { starts: this.#starts, kills: this.#kills };
  }

  /** Exits the kit did not cause, oldest first. */
  get unexpectedExits(): readonly ChildExit[] {
    return this.#exits;
  }

  pids(): number[] {
    return this.#instances.flatMap((i) =>
      i !== undefined && running(i.process) ? [i.process.pid as number] : [],
    );
  }

  /** The last lines the children printed. */
  logTail(): string[] {
    return this.#tail.lines();
  }

  /** Starts every instance that is not running. */
  start(): void {
    this.#wanted = true;
    this.#clearRestarts();
    for (let i = 0; i < this.#instances.length; i++) {
      const current = this.#instances[i];
      if (current === undefined || !running(current.process)) this.#startInstance(i);
    }
    this.#starts++;
  }

  /** kill -9 of every instance's process group, as a real crash; resolves once all have exited. */
  async kill(): Promise<void> {
    this.#kills++;
    await this.stop('SIGKILL');
  }

  /** kill -9, then start again; crashes asked for at once happen one after the other. */
  crash(): Promise<void> {
    const crashed = this.#crashes.then(async () => {
      await this.kill();
      this.start();
    });
    this.#crashes = crashed.catch(() => undefined);
    return crashed;
  }

  /** Sends `signal` to each process group (SIGKILL after 5 s) and waits for the exits. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    this.#wanted = false;
    this.#clearRestarts();
    await Promise.all(
      this.#instances.map((i) => (i === undefined ? undefined : stopProcess(i.process, signal))),
    );
  }

  /** Stops the children and closes the log; later output is dropped. */
  async close(): Promise<void> {
    await this.stop();
    const log = this.#log;
    this.#log = undefined;
    if (log !== undefined) await new Promise<void>((resolve) => log.end(resolve));
  }

  /** The error to report when a child exited on its own, else undefined. */
  failure(): ChildProcessError | undefined {
    const exit = this.#exits[0];
    if (exit === undefined) return undefined;
    return new ChildProcessError(
      CHILD_ERROR_CODES.exited,
      `${this.#o.name}${this.#instances.length > 1 ? ` instance ${exit.instance}` : ''} ${exit.description}`,
      { logTail: this.logTail() },
    );
  }

  /**
   * Polls `ready` until it holds. Throws when a child exits first (CHILD_EXITED) or when
   * `timeoutMs` passes (CHILD_NOT_READY, saying what was awaited), with the log tail.
   */
  async waitReady(ready: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
    const exitsBefore = this.#exits.length;
    const until = Date.now() + timeoutMs;
    for (;;) {
      if (this.#exits.length > exitsBefore) throw this.#failureFrom(exitsBefore, what);
      if (await ready().catch(() => false)) return;
      if (Date.now() >= until)
        throw new ChildProcessError(
          CHILD_ERROR_CODES.notReady,
          `${this.#o.name} is running but did not ${what} within ${timeoutMs} ms`,
          { logTail: this.logTail() },
        );
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** Resident set size of the running instances in bytes (Linux /proc), else undefined. */
  rssBytes(): number | undefined {
    let total: number | undefined;
    for (const pid of this.pids()) {
      try {
        const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
        if (m !== null) total = (total ?? 0) + Number(m[1]) * 1024;
      } catch {
        // exited between pids() and the read
      }
    }
    return total;
  }

  #failureFrom(index: number, what: string): ChildProcessError {
    const exit = this.#exits[index] as ChildExit;
    return new ChildProcessError(
      CHILD_ERROR_CODES.exited,
      `${this.#o.name} ${exit.description} before it could ${what}`,
      { logTail: this.logTail() },
    );
  }

  #startInstance(index: number): void {
    const { command } = this.#o;
    const env = { ...this.#o.env, CK_INSTANCE: String(index) };
    const [file, args] =
      typeof command === 'string' ? ['sh', ['-c', `exec ${command}`]] : [command.file, command.args];
    const child = spawn(file, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const start = this.#starts;
    const tag = `[${this.#o.name}${this.#instances.length > 1 ? ` ${index}` : ''} start ${start}] `;
    const onLine = (line: string): void => {
      this.#tail.add(line);
      if (this.#log?.writable === true) this.#log.write(`${tag}${line}\n`);
      // The reference projector announces its /metrics URL on stdout when started.
      const m = index === 0 ? /"metrics":"(http:\/\/[^"]+)"/.exec(line) : null;
      if (m !== null) this.#metricsUrl = m[1];
    };
    for (const stream of [child.stdout, child.stderr]) {
      const split = lineSplitter();
      stream.setEncoding('utf8').on('data', (chunk: string) => split(chunk).forEach(onLine));
    }
    const exited = (code: number | null, signal: NodeJS.Signals | null): void => {
      if (!this.#wanted || this.#instances[index]?.process !== child) return;
      this.#exits.push({
        instance: index,
        code,
        signal,
        atMs: Date.now(),
        description: `exited on its own (${signal ?? `code ${String(code)}`}) after start ${start}`,
      });
      if (this.#o.supervise !== true) return;
      const timer = setTimeout(() => {
        this.#restarts.delete(timer);
        if (this.#wanted) this.#startInstance(index);
      }, this.#o.restartDelayMs ?? 500);
      this.#restarts.add(timer);
    };
    child.once('error', (error) => {
      onLine(`cannot start: ${error.message}`);
      if (child.pid === undefined) exited(null, null);
    });
    child.once('exit', exited);
    this.#instances[index] = { process: child, start };
  }

  #clearRestarts(): void {
    for (const t of this.#restarts) clearTimeout(t);
    this.#restarts.clear();
  }
}

function running(c: ChildProcess): boolean {
  return c.pid !== undefined && c.exitCode === null && c.signalCode === null;
}

async function stopProcess(c: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (!running(c)) return;
  const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
  // 'close' follows 'exit' once the child's output is drained: its last lines reach the log too.
  const drained = new Promise<void>((resolve) => c.once('close', () => resolve()));
  const send = (s: NodeJS.Signals): void => {
    try {
      process.kill(-(c.pid as number), s);
    } catch {
      // the group is already gone
    }
  };
  send(signal);
  const timer = setTimeout(() => send('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
  await Promise.race([drained, new Promise((resolve) => setTimeout(resolve, OUTPUT_DRAIN_MS).unref())]);
}

/** How long a stopped child's output may take to drain (a grandchild can hold the pipe open). */
const OUTPUT_DRAIN_MS = 2000;
