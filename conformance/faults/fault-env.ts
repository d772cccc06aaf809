import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import pg from 'pg';
import { CONTRACT } from 'continuum-contract';
import { kitCommandLine, SupervisedChild } from '../../harness/child/index.js';
import { consumerPulling, ensureDurableConsumer } from '../../harness/durable-consumer.js';
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

/**
 * The reference projector (`continuum-kit ref projector` of this copy of the kit, services from
 * the environment); with `credential`, connecting to a secure bus (`--nats-creds/--nats-tls-*`).
 */
export function referenceProjectorCommand(credential?: NatsCredential): string {
  const flag = (name: string, file: string | undefined): string[] => (file === undefined ? [] : [name, file]);
  return kitCommandLine([
    'ref',
    'projector',
    '--metrics-port',
    '0',
    '--batch-size',
    '200',
    '--log-level',
    'warn',
    ...flag('--nats-creds', credential?.credsFile),
    ...flag('--nats-tls-ca', credential?.tls?.caFile),
    ...flag('--nats-tls-cert', credential?.tls?.certFile),
    ...flag('--nats-tls-key', credential?.tls?.keyFile),
  ]);
}

/** The reference projector connecting to a secure bus with `credential`. */
export function secureReferenceProjectorCommand(credential: NatsCredential): string {
  return referenceProjectorCommand(credential);
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
  /**
   * ack_wait of the durable consumer; default the contract's (30 s), so recovery figures are what
   * a real deployment sees after a kill. Tests shorten it to keep the suite fast.
   */
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
  readonly projector: SupervisedChild;
  pool: pg.Pool;
  dir: string;
  /** The faults this environment can inject. */
  capabilities: FaultKind[];
  /** Baseline latency on the projector link, restored after a latency fault. */
  projectorLinkLatencyMs: number;
  /** ack_wait of the durable consumer: what a killed projector held comes back after this. */
  ackWaitMs: number;
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
    const ackWaitMs = options.ackWaitMs ?? CONTRACT.consumer.ack_wait_ms;
    const managers = new Map<string | undefined, JetStreamManager>();
    for (const t of runAccounts) {
      const nc = await connectNats(services.natsUrl, adminOf(t));
      stack.push(() => nc.close());
      const jsm = await jetstreamManager(nc);
      await ensureDurableConsumer(jsm, { ackWaitMs });
      managers.set(t, jsm);
    }
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
    const projectors = new Map<string | undefined, SupervisedChild>();
    for (const t of runAccounts) {
      const named = options.projectorCmd === undefined ? 'reference projector' : 'projector under test';
      const child = new SupervisedChild({
        name: t === undefined ? named : `${named} (account of ${t})`,
        supervise: true,
        command:
          options.projectorCmd ??
          referenceProjectorCommand(t === undefined ? secure?.projector : accounts?.[t]?.projector),
        env: {
          ...process.env,
          NATS_URL: projectorNatsUrl,
          DATABASE_URL: services.pgUrl,
          VALKEY_URL: services.valkeyUrl,
          CK_ACK_WAIT_MS: String(ackWaitMs),
        },
        logFile: path.join(dir, t === undefined ? 'projector.log' : `projector-${t}.log`),
      });
      stack.push(() => child.close());
      child.start();
      projectors.set(t, child);
    }
    for (const t of runAccounts)
      await projectors
        .get(t)!
        .waitReady(
          () => consumerPulling(managers.get(t)!),
          60_000,
          `pull from the durable consumer '${CONTRACT.consumer.durable_name}'`,
        );
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
      ackWaitMs,
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
