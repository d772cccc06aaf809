import { setTimeout as sleep } from 'node:timers/promises';
import { SERVICE_ERROR_CODES, ServiceError, type ServiceName } from './service-error.js';
import type { ManagedProcess } from './managed-process.js';
import type { Probe } from './probes.js';

/** What {@link waitUntilReady} is waiting for. */
export interface ReadyTarget {
  service: ServiceName;
  /** e.g. 'nats-server on 127.0.0.1:4567'. */
  description: string;
  timeoutMs: number;
  /** When set, an early exit fails at once with its output. */
  process?: ManagedProcess;
}

function errorText(error: unknown): string {
  if (error instanceof AggregateError) return error.errors.map(errorText).join('; ');
  return error instanceof Error ? error.message || error.name : String(error);
}

/** Retries `probe` until it passes, the process exits, or `timeoutMs` elapses. */
export async function waitUntilReady(probe: Probe, target: ReadyTarget): Promise<void> {
  const started = Date.now();
  let lastError: unknown;
  let pause = 50;
  for (;;) {
    const managed = target.process;
    if (managed !== undefined && !managed.running) {
      throw new ServiceError(
        SERVICE_ERROR_CODES.exited,
        `${target.description} exited before it was ready (${managed.exitDescription ?? 'not started'}). Output:\n${managed.logTail}`,
        { service: target.service },
      );
    }
    try {
      await probe();
      return;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() - started >= target.timeoutMs) {
      const output = managed === undefined ? '' : `\nOutput:\n${managed.logTail}`;
      throw new ServiceError(
        SERVICE_ERROR_CODES.notReady,
        `${target.description} did not answer within ${target.timeoutMs} ms (last error: ${errorText(lastError)})${output}`,
        { service: target.service, cause: lastError },
      );
    }
    await sleep(pause);
    pause = Math.min(pause * 2, 500);
  }
}
