import type { SecureNatsMode } from '../../harness/security/start-secure-nats.js';
import { startFaultEnv } from './fault-env.js';
import type { FaultRunResult } from './fault-run-result.js';
import { readFaultScheduleFile } from './fault-schedule-file.js';
import { runFaultSchedule, type FaultRunOptions } from './run-fault-schedule.js';

/**
 * Reruns a saved fault schedule exactly (same steps, fresh tenant) on fresh servers: a 3-node
 * cluster when the schedule kills cluster nodes, else one node (or a secure bus with `secure`).
 */
export async function replayFaultScheduleFile(
  file: string,
  o: { secure?: SecureNatsMode; projectorCmd?: string; run?: FaultRunOptions } = {},
): Promise<FaultRunResult> {
  const saved = await readFaultScheduleFile(file);
  const cluster = saved.schedule.steps.some(
    (s) => s.op === 'fault' && s.faults.some((f) => f.kind === 'cluster-node-kill'),
  );
  const env = await startFaultEnv({
    ...(cluster ? { cluster: true } : {}),
    // One run, so one tenant: a projector runs per tenant account.
    ...(o.secure === undefined ? {} : { secure: { mode: o.secure, tenants: 1 } }),
    ...(o.projectorCmd === undefined ? {} : { projectorCmd: o.projectorCmd }),
  });
  try {
    return await runFaultSchedule(env, saved.schedule, o.run);
  } finally {
    await env.stop();
  }
}
