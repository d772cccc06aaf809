import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AckPolicy, DeliverPolicy, jetstreamManager } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import pg from 'pg';
import { CONTRACT } from '../../lib/index.js';
import { startNatsCluster, type NatsCluster } from '../../harness/cluster/index.js';
import type { NatsCredential } from '../../harness/security/nats-credential.js';
import {
  startSecureNats,
  type SecureNats,
  type SecureNatsMode,
  type SecureNatsWeakening,
} from '../../harness/security/start-secure-nats.js';
import {
  connectNats,
  credentialConnect,
  provision,
  startServices,
  type NatsConnectOptions,
  type Services,
} from '../../harness/services/index.js';
import type { Logger } from '../../harness/logger.js';
import { runSecurityChecks } from '../security/run-security-checks.js';
import type { SecurityCheckResult } from '../security/security-target.js';
import type { FaultKind } from './fault-schedule.js';
import { startLatencyProxy, type LatencyProxy } from './latency-proxy.js';
import { ProjectorChild } from './projector-child.js';
import { waitConsumerPulling } from './wait-consumer.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** The reference projector command (`continuum-kit ref projector`, services from the environment). */
export function referenceProjectorCommand(): string {
  return `${process.execPath} --import tsx ${path.join(ROOT, 'cli/main.ts')} ref projector --metrics-port 0 --batch-size 200 --log-level warn`;
}

/** The reference projector connecting to a secure bus with `credential` (`ref projector --nats-creds/--nats-tls-*`). */
export function secureReferenceProjectorCommand(credential: NatsCredential): string {
  const flag = (name: string, file: string | undefined): string =>
    file === undefined ? '' : ` ${name} ${JSON.stringify(file)}`;
  return `${referenceProjectorCommand()}${flag('--nats-creds', credential.credsFile)}${flag('--nats-tls-ca', credential.tls?.caFile)}${flag('--nats-tls-cert', credential.tls?.certFile)}${flag('--nats-tls-key', credential.tls?.keyFile)}`;
}

/** Options of {@link startFaultEnv}. */
export interface FaultEnvOptions {
  /** NATS as a 3-node cluster with the streams replicated 3 times (else one nats-server behind a latency proxy). */
  cluster?: boolean;
  /**
   * NATS with transport security (harness/security): per-tenant producer credentials, the
   * projector's own identity, and the security checks probed during every fault hold. The
   * broker cannot be restarted here (no broker-restart); bus-partition stands in for it.
   */
  secure?: {
    mode: SecureNatsMode;
    weaken?: SecureNatsWeakening;
    /** Tenant ids made for runs; default 12. */ tenants?: number;
    /**
     * Default 'account-per-tenant' (x-security.accounts): a projector per tenant account, one
     * projection database. 'shared' is the weakened layout where tenants share a duplicate window.
     */
    accounts?: 'shared' | 'account-per-tenant';
  };
  /** The projector under test: a shell command reading NATS_URL, DATABASE_URL, VALKEY_URL (default: the reference). */
  projectorCmd?: string;
  /** ack_wait of the durable consumer, so what a killed projector held comes back soon; default 2000 ms. */
  ackWaitMs?: number;
  /** Latency (ms, each way) on the projector's bus link for the whole run, e.g. a remote broker; default 0. */
  projectorLinkLatencyMs?: number;
  logger?: Logger;
}

/** Services started here from binaries, the projector child, and the proxies faults act on. */
export interface FaultEnv extends AsyncDisposable {
  services: Services;
  cluster: NatsCluster | undefined;
  secure: SecureNats | undefined;
  /** Producer side of the bus (through the proxy when there is one). */
  producerNatsUrl: string;
  /** Projector side of the bus (through its own proxy when there is one). */
  projectorNatsUrl: string;
  /**
   * Direct NATS URL and admin connect options (observers, provisioning). With an account per
   * tenant, the admin of the account of the tenant nextTenant() last gave out.
   */
  natsUrl: string;
  readonly natsConnect: NatsConnectOptions;
  pgUrl: string;
  valkeyUrl: string;
  /** Proxies in front of NATS (none in cluster mode: clients there follow cluster gossip past a proxy). */
  proxies: { producer?: LatencyProxy; projector?: LatencyProxy };
  /** The projector under fault; with an account per tenant, that of the current run's tenant. */
  readonly projector: ProjectorChild;
  pool: pg.Pool;
  dir: string;
  /** The faults this environment can inject. */
  capabilities: FaultKind[];
  /** Baseline latency on the projector link, restored after a latency fault. */
  projectorLinkLatencyMs: number;
  /** A tenant id for the next run (secure mode: one with credentials); undefined: make one up. */
  nextTenant(): string | undefined;
  /** The producer's credential for a tenant (secure mode). */
  producerNats(tenantId: string): NatsConnectOptions | undefined;
  /** Security checks with the run's tenant as tenant A (secure mode), else undefined. */
  authProbe: ((tenantId: string) => Promise<SecurityCheckResult[]>) | undefined;
  stop(): Promise<void>;
}

/**
 * Starts NATS (one server, a 3-node cluster, or a secure server), PostgreSQL and Valkey from
 * binaries (fault hooks need servers started here), provisions them, creates the durable
 * consumer with a short ack_wait, and starts the projector under test.
 *
 * @throws ServiceError when a binary is missing or a server does not come up.
 */
export async function startFaultEnv(options: FaultEnvOptions = {}): Promise<FaultEnv> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ck-faults-'));
  const stack: (() => Promise<void>)[] = [() => rm(dir, { recursive: true, force: true })];
  const unwind = async (): Promise<void> => {
    for (const f of stack.splice(0).reverse()) await f().catch(() => undefined);
  };
  try {
    const cluster =
      options.cluster === true
        ? await startNatsCluster(options.logger ? { logger: options.logger } : {})
        : undefined;
    if (cluster) stack.push(() => cluster.stop());
    const tenantPool = Array.from(
      { length: options.secure?.tenants ?? 12 },
      () => `ft${randomBytes(5).toString('hex')}`,
    );
    const outsider = `fx${randomBytes(5).toString('hex')}`;
    const secure = options.secure
      ? await startSecureNats({
          mode: options.secure.mode,
          tenants: [...tenantPool, outsider],
          accounts: options.secure.accounts ?? 'account-per-tenant',
          ...(options.secure.weaken ? { weaken: options.secure.weaken } : {}),
        })
      : undefined;
    if (secure) stack.push(() => secure.stop());
    const natsConnect = secure ? credentialConnect(secure.admin) : {};
    const accounts = secure?.tenantAccounts;
    // Each account the runs use: its tenant (undefined: the one account natsConnect reaches).
    const runAccounts: (string | undefined)[] = accounts ? tenantPool : [undefined];
    const adminOf = (t: string | undefined): NatsConnectOptions =>
      t === undefined || !accounts ? natsConnect : credentialConnect(accounts[t]!.admin);
    const services = await startServices({
      ...(cluster ? { nats: cluster.url } : secure ? { nats: secure.url } : {}),
      natsConnect,
      sources: ['flag', 'binary'],
      ...(options.logger ? { logger: options.logger } : {}),
    });
    stack.push(() => services.stop());
    await provision({
      natsUrl: services.natsUrl,
      pgUrl: services.pgUrl,
      valkeyUrl: services.valkeyUrl,
      natsConnect,
      natsAccounts: accounts ? [...tenantPool, outsider].map(adminOf) : undefined,
      replicas: cluster ? 3 : 1,
    });
    for (const t of runAccounts) await addDurableConsumer(services.natsUrl, adminOf(t), options.ackWaitMs);
    const proxies: FaultEnv['proxies'] = {};
    if (!cluster) {
      proxies.producer = await startLatencyProxy(services.natsUrl);
      proxies.projector = await startLatencyProxy(services.natsUrl);
      stack.push(async () => {
        await proxies.producer?.close();
        await proxies.projector?.close();
      });
    }
    const linkLatency = options.projectorLinkLatencyMs ?? 0;
    if (proxies.projector) proxies.projector.latencyMs = linkLatency;
    const projectorNatsUrl = proxies.projector?.url ?? services.natsUrl;
    // One projector per account the runs use, all writing the one projection database.
    const projectors = new Map<string | undefined, ProjectorChild>();
    for (const t of runAccounts) {
      const credential = t === undefined ? secure?.projector : accounts?.[t]?.projector;
      const child = new ProjectorChild({
        command:
          options.projectorCmd ??
          (credential ? secureReferenceProjectorCommand(credential) : referenceProjectorCommand()),
        env: {
          ...process.env,
          NATS_URL: projectorNatsUrl,
          DATABASE_URL: services.pgUrl,
          VALKEY_URL: services.valkeyUrl,
          CK_ACK_WAIT_MS: String(options.ackWaitMs ?? 2000),
        },
        logFile: path.join(dir, t === undefined ? 'projector.log' : `projector-${t}.log`),
      });
      stack.push(() => child.close());
      child.start();
      projectors.set(t, child);
    }
    for (const t of runAccounts) await waitConsumerPulling(services.natsUrl, 60_000, adminOf(t));
    let current = runAccounts[0];
    const pool = new pg.Pool({
      connectionString: services.pgUrl,
      max: 3,
      application_name: 'ck-fault-observer',
    });
    pool.on('error', () => undefined);
    stack.push(() => pool.end());
    const capabilities: FaultKind[] = ['pg-kill-connections', 'pg-restart', 'valkey-down', 'projector-kill'];
    if (cluster) capabilities.push('cluster-node-kill');
    else capabilities.push('broker-restart', 'latency', 'bus-partition');
    let stopping: Promise<void> | undefined;
    const stop = (): Promise<void> => (stopping ??= unwind());
    let nextIndex = 0;
    return {
      services,
      cluster,
      secure,
      producerNatsUrl: proxies.producer?.url ?? services.natsUrl,
      projectorNatsUrl,
      natsUrl: services.natsUrl,
      get natsConnect() {
        return adminOf(current);
      },
      pgUrl: services.pgUrl,
      valkeyUrl: services.valkeyUrl,
      proxies,
      get projector() {
        return projectors.get(current)!;
      },
      pool,
      dir,
      capabilities,
      projectorLinkLatencyMs: linkLatency,
      nextTenant: () => {
        if (!secure) return undefined;
        const t = tenantPool[nextIndex++];
        if (t === undefined)
          throw new RangeError(
            `all ${tenantPool.length} tenants of the secure environment are used; raise secure.tenants`,
          );
        if (accounts) current = t;
        return t;
      },
      producerNats: (t) => {
        const c = secure?.tenants[t];
        return c === undefined
          ? undefined
          : { ...credentialConnect(c), connection: { ignoreClusterUpdates: true } };
      },
      authProbe: secure
        ? (t) =>
            runSecurityChecks(
              {
                url: secure.url,
                caFile: secure.caFile,
                tenantA: {
                  tenantId: t,
                  credential: secure.tenants[t] as NatsCredential,
                  ...(accounts ? { observer: accounts[t]!.projector } : {}),
                },
                tenantB: { tenantId: outsider, credential: secure.tenants[outsider] as NatsCredential },
                observer: accounts ? accounts[outsider]!.projector : secure.projector,
                timeoutMs: 3000,
                // Stored probes would be projected or dead-lettered by the projector under test
                // and counted in the run; `conformance security` runs them.
              },
              { storedProbes: false },
            )
        : undefined,
      stop,
      [Symbol.asyncDispose]: stop,
    };
  } catch (error) {
    await unwind();
    throw error;
  }
}

/** The contract's durable consumer in the account `connect` reaches, with a short ack_wait. */
async function addDurableConsumer(
  natsUrl: string,
  connect: NatsConnectOptions,
  ackWaitMs: number | undefined,
): Promise<void> {
  const nc = await connectNats(natsUrl, connect);
  try {
    const c = CONTRACT.consumer;
    await (
      await jetstreamManager(nc)
    ).consumers.add(CONTRACT.streams.episodes.name, {
      durable_name: c.durable_name,
      filter_subject: c.filter_subject,
      max_ack_pending: c.max_ack_pending,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(ackWaitMs ?? 2000),
    });
  } finally {
    await nc.close();
  }
}
