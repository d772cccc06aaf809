import { spawn } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const CLI_MAIN = path.join(ROOT, 'cli/main.ts');

/** How a child process ended and what it printed. */
export interface ProcessRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** The child's whole environment (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Kills the child with SIGTERM after this long; its code is then null. */
  timeoutMs?: number;
}

/** Runs `file` with tsx in its own Node process from the repository root, to its close. */
export async function runTsx(file: string, args: string[], options: RunOptions = {}): Promise<ProcessRun> {
  const child = spawn(process.execPath, ['--import', 'tsx', file, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.env === undefined ? {} : { env: options.env }),
    ...(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs }),
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, stdout, stderr };
}

/** Runs the kit CLI from source, as `node --import tsx cli/main.ts ARGS`. */
export function runCli(args: string[], options: RunOptions = {}): Promise<ProcessRun> {
  return runTsx(CLI_MAIN, args, options);
}
