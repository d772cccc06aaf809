/**
 * Starts `nats-server -c CONFIG` as a child process on a free loopback port and stops it. Readiness is
 * the server's own "Server is ready" line, so callers never race a half-started JetStream.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { SECURITY_ERROR_CODES } from './security-error-codes.js';
import { SecuritySetupError } from './security-setup-error.js';

/** A running nats-server child. */
export interface NatsServerProcess {
  pid: number;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
  stop(graceMs?: number): Promise<void>;
  /** Sends `signal` (SIGKILL: no graceful shutdown) and resolves once the process has exited. */
  kill(signal: 'SIGTERM' | 'SIGKILL'): Promise<void>;
}

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Spawns nats-server with `configFile`; rejects with the server's log tail if it exits or stalls. */
export async function spawnNatsServer(
  configFile: string,
  { binary = 'nats-server', readyTimeoutMs = 15_000 } = {},
): Promise<NatsServerProcess> {
  const child = spawn(binary, ['-c', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new SecuritySetupError(
          SECURITY_ERROR_CODES.setupFailed,
          `nats-server (${configFile}) not ready after ${readyTimeoutMs} ms:\n${log.slice(-2000)}`,
        ),
      );
    }, readyTimeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      const code = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'toolMissing' : 'setupFailed';
      reject(
        new SecuritySetupError(
          SECURITY_ERROR_CODES[code],
          `cannot start ${binary}: is it installed and on PATH?`,
          { cause: err },
        ),
      );
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      log = (log + chunk).slice(-8000);
      if (log.includes('Server is ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(
        new SecuritySetupError(
          SECURITY_ERROR_CODES.setupFailed,
          `nats-server exited with code ${code} before it was ready:\n${log.slice(-2000)}`,
        ),
      );
    });
  });
  // Keep draining stderr so a chatty server never blocks on a full pipe.
  child.stderr.resume();
  return {
    pid: child.pid ?? -1,
    async stop(graceMs = 5_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
    async kill(signal) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      await exited;
    },
  };
}
