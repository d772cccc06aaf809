import { silentLogger } from '../logger.js';
import { dockerFactory, resolveService, type ResolveContext } from './resolve-service.js';
import { resolveSecureNats, secureConflict } from './secure-nats-service.js';
import { tempDirFactory } from './temp-dir.js';
import { StartedServices, type ResolvedService } from './started-services.js';
import { SERVICE_ERROR_CODES, SERVICE_LABELS, ServiceError, type ServiceName } from './service-error.js';
import type { Origin, ServiceOptions, Services } from './services.js';

const ALL_SOURCES: readonly Origin[] = ['flag', 'env', 'binary', 'container'];
const NAMES: readonly ServiceName[] = ['nats', 'pg', 'valkey'];

/**
 * Finds or starts NATS (JetStream), PostgreSQL and Valkey. Each is resolved in order: URL flag,
 * environment (NATS_URL, DATABASE_URL, VALKEY_URL), a binary on PATH started in a temp dir on
 * a free loopback port, a testcontainers container when a Docker engine answers. Given URLs are
 * checked to answer; started servers are waited on up to `readyTimeoutMs`. With `secure`, NATS is
 * instead started by `startSecureNats` (mTLS or JWT, per-tenant permissions) and `natsConnect` is
 * its admin credential.
 *
 * @throws ServiceError `SERVICES_UNAVAILABLE` naming every missing service and every way to
 *   provide it; `SERVICE_UNREACHABLE`, `SERVICE_NOT_READY`, `SERVICE_EXITED`,
 *   `SERVICE_START_FAILED` otherwise; `SERVICE_OPTIONS_CONFLICT` before anything starts when
 *   `secure` meets a given NATS URL. Whatever was started before the failure is stopped.
 * @example
 * await using services = await startServices({ freshDatabase: true });
 * const nc = await connectNats(services.natsUrl, services.natsConnect);
 */
export async function startServices(options: ServiceOptions = {}): Promise<Services> {
  const env = options.env ?? process.env;
  const logger = options.logger ?? silentLogger;
  const sources = new Set(options.sources ?? ALL_SOURCES);
  const conflict =
    options.secure === undefined
      ? undefined
      : secureConflict({
          nats: options.nats,
          env,
          sources,
          natsArgs: options.natsArgs ?? [],
          natsConnect: options.natsConnect,
        });
  if (conflict !== undefined) throw conflict;
  const tempDir = tempDirFactory(options.tmpRoot);
  const ctx: ResolveContext = {
    flags: { nats: options.nats, pg: options.pg, valkey: options.valkey },
    env,
    sources,
    natsConnect: options.natsConnect ?? {},
    natsArgs: options.natsArgs ?? [],
    postgresRoots: options.postgresRoots ?? ['/usr/lib/postgresql'],
    readyTimeoutMs: options.readyTimeoutMs ?? 30_000,
    connectTimeoutMs: options.connectTimeoutMs ?? 5000,
    unprobed: new Set(options.unprobed ?? []),
    logger,
    tempDir: () => tempDir.get(),
    docker: dockerFactory(env),
  };
  // Independent, so resolved side by side: initdb dominates the wall time.
  const secure = options.secure;
  const settled = await Promise.allSettled(
    NAMES.map((name) =>
      name === 'nats' && secure !== undefined ? resolveSecureNats(secure, ctx) : resolveService(name, ctx),
    ),
  );
  const resolved: Partial<Record<ServiceName, ResolvedService>> = {};
  const missing: string[] = [];
  let failure: unknown;
  settled.forEach((outcome, index) => {
    const name = NAMES[index] as ServiceName;
    if (outcome.status === 'rejected') failure ??= asServiceError(name, outcome.reason);
    else if (outcome.value.ok) resolved[name] = outcome.value;
    else
      missing.push(
        `  ${SERVICE_LABELS[name]}: ${outcome.value.tried.join('; ')}.\n    Provide it: ${outcome.value.hint}.`,
      );
  });
  const services = new StartedServices(resolved, options.natsConnect ?? {}, logger, tempDir);
  if (failure === undefined && missing.length > 0) {
    failure = new ServiceError(
      SERVICE_ERROR_CODES.unavailable,
      `Cannot find or start ${missing.length === 1 ? 'a service' : `${missing.length} services`}:\n${missing.join('\n')}`,
    );
  }
  if (failure === undefined && options.freshDatabase === true) {
    try {
      await services.useFreshDatabase();
    } catch (error) {
      failure = new ServiceError(
        SERVICE_ERROR_CODES.startFailed,
        `Cannot create a fresh database: ${String(error)}`,
        {
          service: 'pg',
          cause: error,
        },
      );
    }
  }
  if (failure !== undefined) {
    await services.stop();
    throw failure;
  }
  logger.info({ origin: services.origin }, 'services ready');
  return services;
}

// Only typed errors leave the service layer (EACCES on a temp dir, a spawn failure...).
function asServiceError(service: ServiceName, error: unknown): ServiceError {
  if (error instanceof ServiceError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ServiceError(SERVICE_ERROR_CODES.startFailed, `${SERVICE_LABELS[service]}: ${message}`, {
    service,
    cause: error,
  });
}
