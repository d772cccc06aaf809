import pg from 'pg';
import type { Logger } from '../logger.js';
import type { RestartableServer } from './binary-server.js';
import type { NatsConnectOptions } from './connect-nats.js';
import { createFreshDatabase, type FreshDatabase } from './fresh-database.js';
import type { Resolution } from './resolve-service.js';
import { credentialConnect, type SecureDeployment } from './secure-nats-service.js';
import { SERVICE_ERROR_CODES, SERVICE_LABELS, ServiceError, type ServiceName } from './service-error.js';
import type { Origin, Services } from './services.js';
import type { TempDir } from './temp-dir.js';

const NAMES: readonly ServiceName[] = ['nats', 'pg', 'valkey'];

/** A resolved service with what this layer started for it (if anything). */
export type ResolvedService = Extract<Resolution, { ok: true }>;

/** The {@link Services} that startServices returns: URLs, origins, fault hooks and stop. */
export class StartedServices implements Services {
  readonly natsConnect: NatsConnectOptions;
  private readonly parts: Partial<Record<ServiceName, ResolvedService>>;
  private readonly logger: Logger;
  private readonly tempDir: TempDir;
  private fresh: FreshDatabase | undefined;
  private stopping: Promise<void> | undefined;

  constructor(
    parts: Partial<Record<ServiceName, ResolvedService>>,
    natsConnect: NatsConnectOptions,
    logger: Logger,
    tempDir: TempDir,
  ) {
    this.parts = parts;
    const secure = parts.nats?.secure;
    this.natsConnect = secure === undefined ? natsConnect : credentialConnect(secure.admin);
    this.logger = logger;
    this.tempDir = tempDir;
  }

  private part(name: ServiceName): ResolvedService {
    const part = this.parts[name];
    if (part === undefined) throw new Error(`${name} was not resolved`);
    return part;
  }

  get natsUrl(): string {
    return this.part('nats').url;
  }
  get pgUrl(): string {
    return this.fresh?.url ?? this.part('pg').url;
  }
  get valkeyUrl(): string {
    return this.part('valkey').url;
  }
  get secure(): SecureDeployment | undefined {
    const secure = this.parts.nats?.secure;
    if (secure === undefined) return undefined;
    const { url, mode, caFile, tenants, projector, admin, permissions, tenantAccounts } = secure;
    return {
      url,
      mode,
      caFile,
      tenants,
      projector,
      admin,
      permissions,
      ...(tenantAccounts === undefined ? {} : { tenantAccounts }),
    };
  }
  get natsAccounts(): readonly NatsConnectOptions[] | undefined {
    const accounts = this.parts.nats?.secure?.tenantAccounts;
    return accounts === undefined
      ? undefined
      : Object.values(accounts).map((a) => credentialConnect(a.admin));
  }
  get database(): string | undefined {
    return this.fresh?.name;
  }
  get origin(): Record<ServiceName, Origin> {
    return { nats: this.part('nats').origin, pg: this.part('pg').origin, valkey: this.part('valkey').origin };
  }
  get pids(): Partial<Record<ServiceName, number>> {
    const pids: Partial<Record<ServiceName, number>> = {};
    for (const name of NAMES) {
      const pid = this.parts[name]?.server?.pid;
      if (pid !== undefined) pids[name] = pid;
    }
    return pids;
  }

  /** Creates the `ck_<random>` database that pgUrl then points at. */
  async useFreshDatabase(): Promise<void> {
    this.fresh = await createFreshDatabase(this.part('pg').url);
    this.logger.info({ database: this.fresh.name }, 'fresh database created');
  }

  private server(name: ServiceName, hook: string): RestartableServer {
    const part = this.part(name);
    if (part.server === undefined) {
      throw new ServiceError(
        SERVICE_ERROR_CODES.faultUnsupported,
        `${hook}: ${SERVICE_LABELS[name]} came from ${part.origin}, not from a binary started here; fault hooks need a server this layer started (leave ${name} URL flags and env unset)`,
        { service: name },
      );
    }
    return part.server;
  }

  async stopNats(signal?: NodeJS.Signals): Promise<void> {
    await this.server('nats', 'stopNats').stop(signal);
  }
  async startNats(): Promise<void> {
    await this.server('nats', 'startNats').start();
  }
  async stopPostgres(signal?: NodeJS.Signals): Promise<void> {
    await this.server('pg', 'stopPostgres').stop(signal);
  }
  async startPostgres(): Promise<void> {
    await this.server('pg', 'startPostgres').start();
  }
  async restartPostgres(): Promise<void> {
    const server = this.server('pg', 'restartPostgres');
    await server.stop();
    await server.start();
  }
  async stopValkey(signal?: NodeJS.Signals): Promise<void> {
    await this.server('valkey', 'stopValkey').stop(signal);
  }
  async startValkey(): Promise<void> {
    await this.server('valkey', 'startValkey').start();
  }

  async killPostgresConnections(): Promise<number> {
    const part = this.part('pg');
    const ownServer = part.origin === 'binary' || part.origin === 'container';
    if (!ownServer && this.fresh === undefined) {
      throw new ServiceError(
        SERVICE_ERROR_CODES.faultUnsupported,
        `killPostgresConnections: PostgreSQL came from ${part.origin} and is shared; use freshDatabase: true to limit the kill to your own database`,
        { service: 'pg' },
      );
    }
    const client = new pg.Client({ connectionString: part.url, connectionTimeoutMillis: 5000 });
    client.on('error', () => {});
    await client.connect();
    try {
      const scope = ownServer ? '' : 'AND datname = $1';
      const result = await client.query<{ killed: string }>(
        `SELECT count(pg_terminate_backend(pid)) AS killed FROM pg_stat_activity
          WHERE pid <> pg_backend_pid() AND backend_type = 'client backend' ${scope}`,
        ownServer ? [] : [this.fresh?.name],
      );
      return Number(result.rows[0]?.killed ?? 0);
    } finally {
      await client.end().catch(() => {});
    }
  }

  stop(): Promise<void> {
    return (this.stopping ??= this.stopAll());
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  private async stopAll(): Promise<void> {
    const pgPart = this.parts.pg;
    // A database on someone else's server is dropped; our own server goes away whole.
    if (
      this.fresh !== undefined &&
      pgPart !== undefined &&
      pgPart.server === undefined &&
      pgPart.container === undefined
    ) {
      await this.fresh.drop().catch((error: unknown) => {
        this.logger.warn(
          { database: this.fresh?.name, error: String(error) },
          'could not drop fresh database',
        );
      });
    }
    await Promise.all(
      NAMES.map(async (name) => {
        const part = this.parts[name];
        await part?.server?.stop();
        // Secure NATS: its keys, creds and JetStream store go with it.
        await part?.secure?.stop();
        await part?.container?.stop().catch((error: unknown) => {
          this.logger.warn({ service: name, error: String(error) }, 'could not stop container');
        });
      }),
    );
    await this.tempDir.remove();
    this.logger.info('services stopped');
  }
}
