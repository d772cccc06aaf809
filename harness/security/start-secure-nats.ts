/**
 * A throwaway NATS deployment with transport security: mTLS with certificate-mapped users, or NATS
 * decentralized auth (JWT), each tenant's producer confined to its own subjects and a projector with
 * the spec's projector permissions. Everything secret lives in a 0700 temp dir removed on stop.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateJwtAuth } from './jwt-auth.js';
import type { NatsCredential } from './nats-credential.js';
import {
  INBOX_PREFIXES,
  producerInboxPrefix,
  producerPermissions,
  projectorPermissions,
  sharedInboxPermissions,
  tenantAccountName,
} from './nats-permissions.js';
import type { SubjectPermissions } from './nats-permissions.js';
import { renderJwtConfig, renderMtlsConfig, renderNoAuthConfig } from './nats-server-config.js';
import { freePort, spawnNatsServer, type NatsServerProcess } from './nats-server-process.js';
import { generatePki } from './openssl-pki.js';

/** Transport security of the deployment. */
export type SecureNatsMode = 'mtls' | 'jwt';

/**
 * Deliberate weakenings, so conformance checks can be shown to fail:
 * 'open-permissions' authenticates everyone but gives every user full permissions;
 * 'no-auth' accepts any client (server TLS only, no users);
 * 'shared-inboxes' keeps per-tenant publish permissions but lets every identity subscribe to
 * `_INBOX.>` and connect on the default `_INBOX` root (the design before inbox prefixes).
 */
export type SecureNatsWeakening = 'open-permissions' | 'no-auth' | 'shared-inboxes';

/** Options of {@link startSecureNats}. */
export interface SecureNatsOptions {
  mode: SecureNatsMode;
  tenants: string[];
  weaken?: SecureNatsWeakening;
  /**
   * Default 'account-per-tenant' (asyncapi.yaml x-security.accounts): each tenant's producer, a
   * projector and an admin in an account of the tenant's own, so each tenant has its own copy of
   * the contract's streams and its own duplicate window (threat msg-id-squatting). 'shared' is a
   * weakened layout: every identity in one account, tenants apart by permissions only, so one
   * tenant can suppress another's events by publishing their Nats-Msg-Id first.
   */
  accounts?: 'shared' | 'account-per-tenant';
  /** Parent of the temp dir (default: the OS temp dir). */
  tmpRoot?: string;
  natsServerBinary?: string;
  opensslBinary?: string;
}

/** A running secure deployment. `stop()` ends the server and deletes keys, creds and store. */
export interface SecureNats extends AsyncDisposable {
  url: string;
  mode: SecureNatsMode;
  weaken?: SecureNatsWeakening;
  /** The CA that signed the server certificate: trust it to connect at all. */
  caFile: string;
  /** Producer credential per tenant id. */
  tenants: Record<string, NatsCredential>;
  projector: NatsCredential;
  /** Unrestricted user for provisioning streams; never give it to a producer or projector. */
  admin: NatsCredential;
  /**
   * With an account per tenant (the default), per tenant id: the projector and the admin of the
   * tenant's account (`projector` and `admin` above then live in an account without tenants).
   */
  tenantAccounts?: Record<string, { projector: NatsCredential; admin: NatsCredential }>;
  /** The permissions given to each tenant's producer and to the projector (none when weakened). */
  permissions: { producers: Record<string, SubjectPermissions>; projector: SubjectPermissions };
  /** The current server process (it changes when the server is restarted). */
  readonly pid: number;
  /**
   * Stops the server (a fault): SIGTERM shuts down gracefully, SIGKILL does not. Keys, config and
   * the JetStream store stay, so `startServer()` brings back the same deployment on the same URL.
   */
  stopServer(signal: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Starts the server again after `stopServer` (no-op while it runs). */
  startServer(): Promise<void>;
  stop(): Promise<void>;
}

/** One user to issue: `key` names its files, `account` its account (default: the shared one). */
interface Identity {
  key: string;
  name: string;
  permissions: SubjectPermissions | undefined;
  inboxPrefix: string;
  account?: string;
}

/** The projector and admin of tenant `t`'s own account. */
function accountStaff(t: string, projector: SubjectPermissions | undefined): Identity[] {
  const account = tenantAccountName(t);
  return [
    {
      key: `_projector_${t}`,
      name: `projector-${t}`,
      permissions: projector,
      inboxPrefix: INBOX_PREFIXES.projector,
      account,
    },
    {
      key: `_admin_${t}`,
      name: `admin-${t}`,
      permissions: undefined,
      inboxPrefix: INBOX_PREFIXES.kit,
      account,
    },
  ];
}

/** Starts nats-server with generated certificates/JWTs and per-tenant permissions. */
export async function startSecureNats(options: SecureNatsOptions): Promise<SecureNats> {
  const tenants = [...new Set(options.tenants)];
  // Validates the tenant ids before anything is spliced into a config.
  const shared = options.weaken === 'shared-inboxes';
  const widen = shared ? sharedInboxPermissions : (p: SubjectPermissions) => p;
  const producers = Object.fromEntries(tenants.map((t) => [t, widen(producerPermissions(t))]));
  const permissions = { producers, projector: widen(projectorPermissions()) };
  const dir = await mkdtemp(join(options.tmpRoot ?? tmpdir(), 'ck-secure-nats-'));
  try {
    const storeDir = join(dir, 'jetstream');
    await mkdir(storeDir, { mode: 0o700 });
    const open = options.weaken === 'open-permissions' || options.weaken === 'no-auth';
    const perTenant = (options.accounts ?? 'account-per-tenant') === 'account-per-tenant';
    const account = (t: string) => (perTenant ? { account: tenantAccountName(t) } : {});
    // Keys starting with '_' cannot collide with a tenant id (scoped_id starts with [a-z0-9]).
    const identities: Identity[] = [
      ...tenants.map((t) => ({
        key: t,
        name: `producer-${t}`,
        permissions: open ? undefined : producers[t],
        inboxPrefix: producerInboxPrefix(t),
        ...account(t),
      })),
      ...(perTenant ? tenants.flatMap((t) => accountStaff(t, open ? undefined : permissions.projector)) : []),
      {
        key: '_projector',
        name: 'projector',
        permissions: open ? undefined : permissions.projector,
        inboxPrefix: INBOX_PREFIXES.projector,
      },
      { key: '_admin', name: 'admin', permissions: undefined, inboxPrefix: INBOX_PREFIXES.kit },
    ];
    // Weakened the old way: every identity on the shared default root.
    const inbox = (i: { inboxPrefix: string }) => (shared ? {} : { inboxPrefix: i.inboxPrefix });
    const pki = await generatePki(
      dir,
      identities.map((i) => ({ name: i.key, cn: `continuum-${i.name}` })),
      options.opensslBinary,
    );
    const port = await freePort();
    const baseCfg = {
      port,
      storeDir,
      serverName: `ck_secure_${port}`,
      tls: { certFile: pki.server.certFile, keyFile: pki.server.keyFile, caFile: pki.caFile },
    };
    const creds: Record<string, NatsCredential> = {};
    let config: string;
    if (options.weaken === 'no-auth') {
      config = renderNoAuthConfig(baseCfg);
      for (const i of identities)
        creds[i.key] = { identity: i.name, tls: { caFile: pki.caFile }, ...inbox(i) };
    } else if (options.mode === 'mtls') {
      config = renderMtlsConfig({
        ...baseCfg,
        users: identities.map((i) => ({
          subject: pki.clients[i.key]!.subject,
          permissions: i.permissions,
          ...(i.account === undefined ? {} : { account: i.account }),
        })),
      });
      for (const i of identities) {
        const c = pki.clients[i.key]!;
        creds[i.key] = {
          identity: c.subject,
          tls: { caFile: pki.caFile, certFile: c.certFile, keyFile: c.keyFile },
          ...inbox(i),
        };
      }
    } else {
      const auth = await generateJwtAuth(
        dir,
        identities.map((i) => ({
          name: i.key,
          permissions: i.permissions,
          ...(i.account === undefined ? {} : { account: i.account }),
        })),
      );
      config = renderJwtConfig({ ...baseCfg, ...auth });
      for (const i of identities) {
        const u = auth.users[i.key]!;
        creds[i.key] = {
          identity: `${i.name} (${u.publicKey})`,
          tls: { caFile: pki.caFile },
          credsFile: u.credsFile,
          ...inbox(i),
        };
      }
    }
    const configFile = join(dir, 'nats-server.conf');
    await writeFile(configFile, config, { mode: 0o600 });
    const spawnServer = () => spawnNatsServer(configFile, { binary: options.natsServerBinary });
    let proc: NatsServerProcess | undefined = await spawnServer();
    let stopped: Promise<void> | undefined;
    const stop = (): Promise<void> =>
      (stopped ??= (proc?.stop() ?? Promise.resolve()).then(() => rm(dir, { recursive: true, force: true })));
    return {
      url: `tls://127.0.0.1:${port}`,
      mode: options.mode,
      weaken: options.weaken,
      caFile: pki.caFile,
      tenants: Object.fromEntries(tenants.map((t) => [t, creds[t]!])),
      projector: creds._projector!,
      admin: creds._admin!,
      ...(perTenant
        ? {
            tenantAccounts: Object.fromEntries(
              tenants.map((t) => [t, { projector: creds[`_projector_${t}`]!, admin: creds[`_admin_${t}`]! }]),
            ),
          }
        : {}),
      permissions,
      get pid() {
        return proc?.pid ?? -1;
      },
      async stopServer(signal) {
        const running = proc;
        proc = undefined;
        await running?.kill(signal);
      },
      async startServer() {
        if (stopped !== undefined) throw new Error('startServer after stop(): the deployment is gone');
        proc ??= await spawnServer();
      },
      stop,
      [Symbol.asyncDispose]: stop,
    };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
