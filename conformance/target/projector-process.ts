import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import type { WriteStream } from 'node:fs';

/** How to start the projector under test. */
export interface ProjectorProcessOptions {
  command: string;
  instances: number;
  env: NodeJS.ProcessEnv;
  /** Appends the children's stdout/stderr here. */
  logFile?: string;
}

/**
 * The projector under test as child processes (`--projector-cmd`). Each runs in its own process
 * group so `crash()` can kill -9 it with everything it spawned, as a real crash would.
 */
export class ProjectorProcess {
  #children: ChildProcess[] = [];
  #log: WriteStream | undefined;
  #starts = 0;

  constructor(private readonly options: ProjectorProcessOptions) {
    if (options.logFile !== undefined) this.#log = createWriteStream(options.logFile, { flags: 'a' });
  }

  start(): void {
    for (let i = 0; i < this.options.instances; i++) {
      const child = spawn('sh', ['-c', this.options.command], {
        env: { ...this.options.env, CK_INSTANCE: String(i) },
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const tag = `[projector ${i} start ${this.#starts}] `;
      child.stdout?.on('data', (d: Buffer) => this.#log?.write(tag + d.toString()));
      child.stderr?.on('data', (d: Buffer) => this.#log?.write(tag + d.toString()));
      this.#children.push(child);
    }
    this.#starts++;
  }

  /** Children that exited on their own (a crash of the implementation, not ours). */
  exited(): { code: number | null; signal: NodeJS.Signals | null }[] {
    return this.#children
      .filter((c) => c.exitCode !== null)
      .map((c) => ({ code: c.exitCode, signal: c.signalCode }));
  }

  /** kill -9 every instance (and its process group), wait for exit, start again. */
  async crash(): Promise<void> {
    await this.stop('SIGKILL');
    this.start();
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const children = this.#children;
    this.#children = [];
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null || c.pid === undefined) return resolve();
            const timer = setTimeout(() => {
              try {
                process.kill(-(c.pid as number), 'SIGKILL');
              } catch {
                // already gone
              }
            }, 5000);
            c.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            try {
              process.kill(-(c.pid as number), signal);
            } catch {
              clearTimeout(timer);
              resolve();
            }
          }),
      ),
    );
  }

  async close(): Promise<void> {
    await this.stop();
    await new Promise<void>((r) => (this.#log === undefined ? r() : this.#log.end(r)));
  }
}
