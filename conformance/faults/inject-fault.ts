import type pg from 'pg';
import type { Fault } from './fault-schedule.js';
import type { FaultEnv } from './fault-env.js';

/** Thrown when a schedule asks for a fault this environment cannot inject. */
export class FaultUnsupportedError extends Error {
  readonly code = 'FAULT_UNSUPPORTED';
  override readonly name = 'FaultUnsupportedError';
}

/** Heal order: the infrastructure first, the projector last (it needs the rest to start). */
const HEAL_ORDER: Record<Fault['kind'], number> = {
  'bus-partition': 0,
  latency: 0,
  'broker-restart': 1,
  'cluster-node-kill': 1,
  'pg-restart': 2,
  'pg-kill-connections': 2,
  'valkey-down': 3,
  'projector-kill': 9,
};

/** Sorts faults into the order they are healed in. */
export function healOrder(faults: readonly Fault[]): Fault[] {
  return [...faults].sort((a, b) => HEAL_ORDER[a.kind] - HEAL_ORDER[b.kind]);
}

/**
 * Waits (up to `ms`) until another client of the database sits inside an open transaction
 * between statements (e.g. awaiting the bus before COMMIT), so that a projector kill lands
 * mid-batch; returns whether it saw one.
 */
export async function waitOpenTransaction(pool: pg.Pool, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const r = await pool
      .query<{ n: string }>(
        `SELECT count(*) AS n FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
            AND state = 'idle in transaction' AND coalesce(application_name, '') <> 'ck-fault-observer'`,
      )
      .catch(() => undefined);
    if (r !== undefined && Number(r.rows[0]?.n ?? 0) > 0) return true;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return false;
}

/** Injects one fault; returns a note for the report (e.g. whether a kill landed mid-batch). */
export async function injectFault(env: FaultEnv, fault: Fault): Promise<string | undefined> {
  const proxies = [env.proxies.producer, env.proxies.projector];
  switch (fault.kind) {
    case 'broker-restart':
      // A secure bus is the kit's own server with its keys and config, not a service-layer one.
      if (env.secure) await env.secure.stopServer(fault.signal);
      else await env.services.stopNats(fault.signal);
      return undefined;
    case 'cluster-node-kill':
      if (env.cluster === undefined)
        throw new FaultUnsupportedError('cluster-node-kill needs a cluster environment');
      await env.cluster.killNode(fault.node % env.cluster.size, 'SIGKILL');
      return undefined;
    case 'pg-kill-connections':
      return `${await env.services.killPostgresConnections()} sessions terminated`;
    case 'pg-restart':
      await env.services.stopPostgres();
      return undefined;
    case 'valkey-down':
      await env.services.stopValkey();
      return undefined;
    case 'projector-kill': {
      const midBatch = await waitOpenTransaction(env.pool, 2000);
      await env.projector.kill();
      return midBatch ? 'killed mid-batch (transaction open)' : 'killed (no open transaction seen in 2 s)';
    }
    case 'latency':
      if (env.proxies.producer === undefined)
        throw new FaultUnsupportedError('latency needs the single-node environment (bus proxy)');
      for (const p of proxies) if (p) p.latencyMs = fault.ms;
      return undefined;
    case 'bus-partition':
      if (env.proxies.producer === undefined)
        throw new FaultUnsupportedError('bus-partition needs the single-node environment (bus proxy)');
      for (const p of proxies) p?.cut();
      return undefined;
  }
}

/** Heals one fault (the ones with nothing to heal are no-ops). */
export async function healFault(env: FaultEnv, fault: Fault): Promise<void> {
  switch (fault.kind) {
    case 'broker-restart':
      if (env.secure) await env.secure.startServer();
      else await env.services.startNats();
      return;
    case 'cluster-node-kill':
      await env.cluster?.restartNode(fault.node % env.cluster.size);
      return;
    case 'pg-kill-connections':
      return;
    case 'pg-restart':
      await env.services.startPostgres();
      return;
    case 'valkey-down':
      await env.services.startValkey();
      return;
    case 'projector-kill':
      env.projector.start();
      return;
    case 'latency':
      if (env.proxies.producer) env.proxies.producer.latencyMs = 0;
      if (env.proxies.projector) env.proxies.projector.latencyMs = env.projectorLinkLatencyMs;
      return;
    case 'bus-partition':
      env.proxies.producer?.restore();
      env.proxies.projector?.restore();
      return;
  }
}
