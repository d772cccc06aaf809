import { afterAll, describe, expect, it } from 'vitest';
import {
  runFaultSchedule,
  startFaultEnv,
  type FaultEnv,
  type FaultSchedule,
} from '../../conformance/faults/index.js';
import { LOADED_CI, SHORT_ACK_WAIT_MS } from './loaded-ci.js';

// The bus with transport security (harness/security): the producer connects with its tenant's
// certificate, a projector per tenant account with that account's; the security checks (conformance/security) are
// probed during every fault hold and at the end.
const envs: FaultEnv[] = [];
afterAll(async () => {
  for (const e of envs) await e.stop();
});

const SCHEDULE: FaultSchedule = {
  steps: [
    { op: 'write', count: 20 },
    { op: 'fault', faults: [{ kind: 'bus-partition' }], holdMs: 800, writes: 30 },
    {
      op: 'fault',
      faults: [{ kind: 'projector-kill' }, { kind: 'latency', ms: 30 }],
      holdMs: 800,
      writes: 30,
    },
  ],
};

// The server comes back from its config: the permissions must hold after the restart too.
const WITH_RESTART: FaultSchedule = {
  steps: [
    ...SCHEDULE.steps,
    { op: 'fault', faults: [{ kind: 'broker-restart', signal: 'SIGKILL' }], holdMs: 1200, writes: 30 },
  ],
};

describe('faults over a secure bus (mTLS, per-tenant permissions)', () => {
  it('the reference loses nothing and auth stays closed throughout', { timeout: 90_000 }, async () => {
    const env = await startFaultEnv({ secure: { mode: 'mtls', tenants: 2 }, ackWaitMs: SHORT_ACK_WAIT_MS });
    envs.push(env);
    expect(env.capabilities).toContain('broker-restart');
    // The default layout: an account per tenant (the run's two and the probes' outsider).
    expect(Object.keys(env.secure?.tenantAccounts ?? {})).toHaveLength(3);
    const r = await runFaultSchedule(env, WITH_RESTART, LOADED_CI);
    process.stdout.write(`[faults] secure mtls: ${JSON.stringify(r.figures)}\n`);
    expect(r.violations).toEqual([]);
    expect(r.figures.lost).toBe(0);
    expect(r.figures.eventsProjected).toBe(110);
    expect(r.figures.authProbes).toBeGreaterThanOrEqual(16);
    expect(r.figures.authFailures).toBe(0);
    expect(r.clauses.find((c) => c.clauseId === 'CT-7.tenant-isolation')?.status).toBe('passed');
  });

  it('open permissions are caught with CT-7.tenant-isolation', { timeout: 90_000 }, async () => {
    const env = await startFaultEnv({
      secure: { mode: 'mtls', tenants: 2, weaken: 'open-permissions' },
      ackWaitMs: SHORT_ACK_WAIT_MS,
    });
    envs.push(env);
    const r = await runFaultSchedule(env, SCHEDULE, LOADED_CI);
    expect(r.ok).toBe(false);
    const clauses = new Set(r.violations.map((v) => v.clauseId));
    expect(clauses.has('CT-7.tenant-isolation')).toBe(true);
    // Everything else held: only the permissions were weakened.
    expect(r.figures.lost).toBe(0);
    const others = r.violations.filter(
      (v) => v.clauseId !== 'CT-7.tenant-isolation' && v.clauseId !== 'CT-6.fail-closed',
    );
    expect(others).toEqual([]);
  });
});
