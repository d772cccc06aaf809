import type { NatsCredential } from '../security/nats-credential.js';
import { startSecureNats, type SecureNats, type SecureNatsMode } from '../security/start-secure-nats.js';
import type { RestartableServer } from './binary-server.js';
import type { NatsConnectOptions } from './connect-nats.js';
import { findBinary } from './find-binary.js';
import { natsProbe } from './probes.js';
import { redactUrl } from './redact-url.js';
import { BINARY_HINT, type ResolveContext, type Resolution } from './resolve-service.js';
import { SERVICE_ERROR_CODES, ServiceError } from './service-error.js';
import { waitUntilReady } from './wait-until-ready.js';

/** What `ServiceOptions.secure` asks for: a NATS deployment with generated mTLS or JWT users. */
export interface SecureNatsRequest {
  mode: SecureNatsMode;
  /** One producer credential each, allowed only that tenant's subjects. */
  tenants: readonly string[];
  /**
   * Default 'account-per-tenant' (x-security.accounts): each tenant in an account of its own with
   * its own projector and admin (`secure.tenantAccounts`), so no tenant shares another's duplicate
   * window; `provision(services)` lays out every tenant account, and a projector runs per account.
   * 'shared' is the weakened layout (one account, msg-id squatting possible), for negative tests.
   */
  accounts?: 'shared' | 'account-per-tenant';
}

/**
 * The secure deployment startServices started: URL, CA and credentials, but not its lifecycle
 * (that stays with the Services fault hooks and stop()).
 */
export type SecureDeployment = Readonly<
  Pick<
    SecureNats,
    'url' | 'mode' | 'caFile' | 'tenants' | 'projector' | 'admin' | 'permissions' | 'tenantAccounts'
  >
>;

/** A credential as the service layer's connect options. */
export function credentialConnect(credential: NatsCredential): NatsConnectOptions {
  return {
    name: credential.identity,
    ...(credential.tls === undefined ? {} : { tls: credential.tls }),
    ...(credential.credsFile === undefined ? {} : { credsFile: credential.credsFile }),
    ...(credential.inboxPrefix === undefined ? {} : { inboxPrefix: credential.inboxPrefix }),
  };
}

/**
 * Why `secure` cannot be honoured with these options, or undefined. Checked before anything starts:
 * a NATS URL from a flag or the environment points at a server whose TLS and users are not ours.
 */
export function secureConflict(options: {
  nats: string | undefined;
  env: NodeJS.ProcessEnv;
  sources: ReadonlySet<string>;
  natsArgs: readonly string[];
  natsConnect: NatsConnectOptions | undefined;
}): ServiceError | undefined {
  const envUrl = options.sources.has('env') ? options.env.NATS_URL : undefined;
  const [url, where] =
    options.nats !== undefined && options.nats !== ''
      ? [options.nats, '--nats']
      : envUrl !== undefined && envUrl !== ''
        ? [envUrl, 'NATS_URL']
        : [undefined, undefined];
  let reason: string | undefined;
  if (url !== undefined) {
    reason =
      `NATS at ${redactUrl(url)} (from ${where}) was not started here, so its TLS and users cannot be generated. ` +
      'To use a secured deployment of your own, drop secure and pass its credentials with natsConnect ' +
      '(--nats-creds, or --nats-tls-cert, --nats-tls-key and --nats-tls-ca); to have one started, leave --nats and NATS_URL unset';
  } else if (!options.sources.has('binary')) {
    reason = 'secure NATS is started from the nats-server binary; add binary to sources';
  } else if (options.natsArgs.length > 0 || Object.keys(options.natsConnect ?? {}).length > 0) {
    reason = 'secure NATS generates its own server config and credentials; drop natsArgs and natsConnect';
  }
  return reason === undefined
    ? undefined
    : new ServiceError(SERVICE_ERROR_CODES.optionsConflict, `secure: ${reason}`, { service: 'nats' });
}

/** Waits until `connect` reaches the JetStream API of the secure server. */
function readiness(
  secure: SecureNats,
  connect: NatsConnectOptions,
  ctx: ResolveContext,
): () => Promise<void> {
  return () =>
    waitUntilReady(natsProbe(secure.url, connect, true), {
      service: 'nats',
      description: `secure nats-server on ${secure.url}`,
      timeoutMs: ctx.readyTimeoutMs,
    });
}

/** Maps the fault hooks onto the secure server's stopServer/startServer (same URL, keys and store). */
function restartable(secure: SecureNats, ready: () => Promise<void>): RestartableServer {
  return {
    url: secure.url,
    get pid() {
      return secure.pid === -1 ? undefined : secure.pid;
    },
    async start() {
      try {
        await secure.startServer();
      } catch (error) {
        throw new ServiceError(
          SERVICE_ERROR_CODES.startFailed,
          `secure nats-server on ${secure.url}: ${error instanceof Error ? error.message : String(error)}`,
          { service: 'nats', cause: error },
        );
      }
      await ready();
    },
    async stop(signal) {
      if (signal !== undefined && signal !== 'SIGTERM' && signal !== 'SIGKILL') {
        throw new ServiceError(
          SERVICE_ERROR_CODES.faultUnsupported,
          `stopNats(${signal}): secure nats-server stops with SIGTERM or SIGKILL`,
          { service: 'nats' },
        );
      }
      await secure.stopServer(signal ?? 'SIGTERM');
    },
  };
}

/** Starts NATS through startSecureNats and waits until the admin credential reaches JetStream. */
export async function resolveSecureNats(
  request: SecureNatsRequest,
  ctx: ResolveContext,
): Promise<Resolution> {
  const binary = findBinary('nats-server', ctx.env);
  if (binary === undefined) return { ok: false, tried: ['no nats-server on PATH'], hint: BINARY_HINT.nats };
  const secure = await startSecureNats({
    mode: request.mode,
    tenants: [...request.tenants],
    accounts: request.accounts ?? 'account-per-tenant',
    tmpRoot: await ctx.tempDir(),
    natsServerBinary: binary,
  });
  const ready = readiness(secure, credentialConnect(secure.admin), ctx);
  try {
    await ready();
  } catch (error) {
    await secure.stop();
    throw error;
  }
  ctx.logger.info(
    { service: 'nats', url: secure.url, pid: secure.pid, mode: secure.mode },
    'secure NATS started',
  );
  return { ok: true, url: secure.url, origin: 'binary', server: restartable(secure, ready), secure };
}
