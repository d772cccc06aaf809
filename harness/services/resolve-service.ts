import type { Logger } from '../logger.js';
import type { SecureNats } from '../security/start-secure-nats.js';
import type { BinaryServer, RestartableServer } from './binary-server.js';
import type { NatsConnectOptions } from './connect-nats.js';
import { startContainer, type ContainerService } from './containers.js';
import { findDockerEngine, dockerCandidates } from './docker-engine.js';
import { findBinary, findPostgresBinDir } from './find-binary.js';
import { natsBinary } from './nats-binary.js';
import { postgresBinary } from './postgres-binary.js';
import { natsProbe, postgresProbe, valkeyProbe } from './probes.js';
import { SERVICE_ERROR_CODES, SERVICE_LABELS, ServiceError, type ServiceName } from './service-error.js';
import type { Origin } from './services.js';
import { valkeyBinary } from './valkey-binary.js';
import { waitUntilReady } from './wait-until-ready.js';
import { redactUrl } from './redact-url.js';

/** The flag and environment variable naming each service's URL. */
export const SERVICE_SOURCES: Readonly<Record<ServiceName, { flag: string; env: string; example: string }>> =
  {
    nats: { flag: '--nats', env: 'NATS_URL', example: 'nats://127.0.0.1:4222' },
    pg: { flag: '--pg', env: 'DATABASE_URL', example: 'postgres://postgres@127.0.0.1:5432/postgres' },
    valkey: { flag: '--valkey', env: 'VALKEY_URL', example: 'redis://127.0.0.1:6379' },
  };

/** How to make each service's binary findable. */
export const BINARY_HINT: Readonly<Record<ServiceName, string>> = {
  nats: 'put nats-server on PATH (https://github.com/nats-io/nats-server/releases)',
  pg: 'install PostgreSQL so that initdb and postgres are under /usr/lib/postgresql/<version>/bin or on PATH (apt install postgresql)',
  valkey: 'put valkey-server or redis-server on PATH (apt install valkey-server, or redis-server)',
};

const IMAGE_HINT: Readonly<Record<ServiceName, string>> = {
  nats: 'nats:2.10',
  pg: 'postgres:16',
  valkey: 'valkey/valkey:8',
};

/** A resolved service, or why it could not be. */
export type Resolution =
  | {
      ok: true;
      url: string;
      origin: Origin;
      server?: RestartableServer;
      container?: ContainerService;
      /** Set when NATS was started by `startSecureNats`; its stop() also deletes the keys. */
      secure?: SecureNats;
    }
  | { ok: false; tried: string[]; hint: string };

/** Shared state for resolving the three services of one startServices call. */
export interface ResolveContext {
  flags: Partial<Record<ServiceName, string>>;
  env: NodeJS.ProcessEnv;
  sources: ReadonlySet<Origin>;
  natsConnect: NatsConnectOptions;
  natsArgs: readonly string[];
  postgresRoots: readonly string[];
  readyTimeoutMs: number;
  connectTimeoutMs: number;
  /** Given URLs of these services are not probed (see ServiceOptions.unprobed). */
  unprobed: ReadonlySet<ServiceName>;
  logger: Logger;
  /** Lazily created temp dir (one per startServices call). */
  tempDir: () => Promise<string>;
  /** Lazily probed Docker engine. */
  docker: () => Promise<string | undefined>;
}

/** Memoized Docker engine probe. */
export function dockerFactory(env: NodeJS.ProcessEnv): () => Promise<string | undefined> {
  let engine: Promise<string | undefined> | undefined;
  return () => (engine ??= findDockerEngine(env));
}

async function startBinary(service: ServiceName, ctx: ResolveContext): Promise<BinaryServer | undefined> {
  const common = { readyTimeoutMs: ctx.readyTimeoutMs, logger: ctx.logger.child({ service }) };
  let server: BinaryServer;
  if (service === 'nats') {
    const binary = findBinary('nats-server', ctx.env);
    if (binary === undefined) return undefined;
    server = await natsBinary({
      binary,
      dir: await ctx.tempDir(),
      extraArgs: ctx.natsArgs,
      connect: ctx.natsConnect,
      ...common,
    });
  } else if (service === 'valkey') {
    const binary = findBinary('valkey-server', ctx.env) ?? findBinary('redis-server', ctx.env);
    if (binary === undefined) return undefined;
    server = await valkeyBinary({ binary, dir: await ctx.tempDir(), ...common });
  } else {
    const binDir = findPostgresBinDir(ctx.postgresRoots, ctx.env);
    if (binDir === undefined) return undefined;
    server = await postgresBinary({ binDir, dir: await ctx.tempDir(), ...common });
  }
  await server.start();
  ctx.logger.info(
    { service, url: server.url, pid: server.pid },
    `${SERVICE_LABELS[service]} started from binary`,
  );
  return server;
}

function probeFor(service: ServiceName, url: string, ctx: ResolveContext) {
  if (service === 'nats') return natsProbe(url, ctx.natsConnect, false);
  return service === 'pg' ? postgresProbe(url) : valkeyProbe(url);
}

/** Resolves one service: flag, environment, binary, container, in that order. */
export async function resolveService(service: ServiceName, ctx: ResolveContext): Promise<Resolution> {
  const source = SERVICE_SOURCES[service];
  const tried: string[] = [];
  const given: [Origin, string | undefined, string][] = [
    ['flag', ctx.flags[service], `no ${source.flag} flag`],
    ['env', ctx.env[source.env], `${source.env} unset`],
  ];
  for (const [origin, url, absent] of given) {
    if (!ctx.sources.has(origin)) continue;
    if (url === undefined || url === '') {
      tried.push(absent);
      continue;
    }
    if (ctx.unprobed.has(service)) return { ok: true, url, origin };
    const where = origin === 'flag' ? source.flag : source.env;
    try {
      await waitUntilReady(probeFor(service, url, ctx), {
        service,
        description: `${SERVICE_LABELS[service]} at ${redactUrl(url)} (from ${where})`,
        timeoutMs: ctx.connectTimeoutMs,
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new ServiceError(SERVICE_ERROR_CODES.unreachable, message, { service, cause: error });
    }
    return { ok: true, url, origin };
  }
  if (ctx.sources.has('binary')) {
    const server = await startBinary(service, ctx);
    if (server !== undefined) return { ok: true, url: server.url, origin: 'binary', server };
    tried.push(service === 'pg' ? 'no initdb/postgres found' : 'no server binary on PATH');
  }
  if (ctx.sources.has('container')) {
    if ((await ctx.docker()) !== undefined) {
      const container = await startContainer(service, {
        readyTimeoutMs: ctx.readyTimeoutMs,
        logger: ctx.logger,
      });
      return { ok: true, url: container.url, origin: 'container', container };
    }
    tried.push(`no Docker engine answered at ${dockerCandidates(ctx.env).join(', ')}`);
  }
  const ways = [
    `pass ${source.flag} ${source.example}`,
    `set ${source.env}`,
    BINARY_HINT[service],
    `start Docker (image ${IMAGE_HINT[service]})`,
  ];
  return { ok: false, tried, hint: ways.join(', or ') };
}
