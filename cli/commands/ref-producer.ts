import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { jetstreamManager } from '@nats-io/jetstream';
import { createLogger, type Logger } from '../../harness/logger.js';
import {
  connectNats,
  provision,
  startServices,
  type NatsConnectOptions,
  type Services,
} from '../../harness/services/index.js';
import {
  ReferenceProducer,
  startDriverServer,
  writeDemoEpisodes,
  type DriverServer,
} from '../../harness/producer/index.js';
import { EXIT } from '../exit-codes.js';
import {
  SERVICE_HELP,
  addServiceOptions,
  toServiceOptions,
  type ServiceCliOptions,
} from '../service-options.js';

interface ProducerFlags extends ServiceCliOptions {
  db?: string;
  driverPort?: number;
  demo?: number;
  tenantId: string;
  agentId: string;
  logLevel: string;
  timeoutMs: number;
}

function parseCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new InvalidArgumentError(`expected a non-negative integer, got '${value}'`);
  return n;
}

/** Registers `continuum-kit ref producer`: the reference Continuum producer (exporter + driver). */
export function registerRefProducer(ref: Command): void {
  const command = ref
    .command('producer')
    .description(
      'Run the reference producer: local SQLite store, exporter to JetStream, optional driver endpoint and demo',
    );
  addServiceOptions(command)
    .option(
      '--db <path>',
      'SQLite store (default ./continuum-producer.sqlite; a fresh temp file with --demo)',
    )
    .option(
      '--driver-port <n>',
      'serve the driver protocol (driver/openapi.yaml) on 127.0.0.1:N (0 = any free port)',
      parseCount,
    )
    .option(
      '--demo <n>',
      'write N demo episodes (create/update/summarize/delete mix), exit when all are exported',
      parseCount,
    )
    .option(
      '--tenant-id <id>',
      'tenant of the demo episodes',
      `demo-${Math.random().toString(36).slice(2, 8)}`,
    )
    .option('--agent-id <id>', 'agent of the demo episodes', 'demo-agent')
    .option(
      '--timeout-ms <ms>',
      'with --demo: give up if not all exported by then (exit 2)',
      parseCount,
      60_000,
    )
    .option('--log-level <level>', 'pino level for stderr logs', 'info')
    .addHelpText(
      'after',
      `
Examples:
  $ continuum-kit ref producer --demo 100
  $ continuum-kit ref producer --nats nats://127.0.0.1:4222 --valkey redis://127.0.0.1:6379 --driver-port 8787 --db ./producer.sqlite

Servers this command starts itself are provisioned (streams, migration); on given ones the stream
CONTINUUM_EPISODES must exist (continuum-kit provision). Backfills are audited to PostgreSQL when
--pg is given or the server was started here. SIGTERM/SIGINT finish in-flight publishes, persist the
export cursor and exit 0.
${SERVICE_HELP}`,
    )
    .action(async (flags: ProducerFlags) => {
      process.exitCode = await producerCommand(flags);
    });
}

async function producerCommand(f: ProducerFlags): Promise<number> {
  const logger = createLogger({ level: f.logLevel, name: 'ref-producer' });
  let services: Services;
  try {
    services = await startServices(toServiceOptions(f, { logger }));
  } catch (error) {
    process.stderr.write(
      `continuum-kit ref producer: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return EXIT.usage;
  }
  try {
    return await runProducer(f, services, logger);
  } finally {
    await services.stop();
  }
}

async function runProducer(f: ProducerFlags, services: Services, logger: Logger): Promise<number> {
  const started = Object.values(services.origin).some((o) => o === 'binary' || o === 'container');
  if (started) {
    await provision({
      natsUrl: services.natsUrl,
      pgUrl: services.pgUrl,
      valkeyUrl: services.valkeyUrl,
      natsConnect: services.natsConnect,
      logger,
    });
  }
  const dbPath =
    f.db ??
    (f.demo === undefined
      ? 'continuum-producer.sqlite'
      : path.join(mkdtempSync(path.join(os.tmpdir(), 'ck-demo-')), 'producer.sqlite'));
  const missing = await missingStream(services.natsUrl, services.natsConnect);
  if (missing && f.demo !== undefined) {
    process.stderr.write(`continuum-kit ref producer: ${missing}\n`);
    return EXIT.usage;
  }
  if (missing) logger.warn({ problem: missing }, 'exporting will retry until this is fixed');
  const auditPg =
    f.pg ??
    (services.origin.pg === 'binary' || services.origin.pg === 'container' ? services.pgUrl : undefined);
  const producer = new ReferenceProducer({
    dbPath,
    natsUrl: services.natsUrl,
    nats: services.natsConnect,
    valkeyUrl: services.valkeyUrl,
    logger,
    ...(auditPg === undefined ? {} : { pgUrl: auditPg }),
  });
  producer.start();
  let driver: DriverServer | undefined;
  if (f.driverPort !== undefined) {
    driver = await startDriverServer(producer, { port: f.driverPort });
    logger.info({ url: driver.url }, 'driver protocol listening');
    process.stdout.write(
      `${JSON.stringify({ event: 'started', driver: driver.url, db: dbPath, nats: services.natsUrl, pid: process.pid })}\n`,
    );
  }
  if (f.demo !== undefined) {
    const summary = writeDemoEpisodes(producer, f.demo, f.tenantId, f.agentId);
    const idle = await producer.exporter.waitIdle(f.timeoutMs);
    const status = producer.status();
    await driver?.close();
    await producer.stop();
    process.stdout.write(
      `${JSON.stringify({ event: 'demo', db: dbPath, tenant_id: f.tenantId, agent_id: f.agentId, ...summary, exported: idle, counters: status.counters, publish_ack: status.publish_ack })}\n`,
    );
    if (!idle)
      process.stderr.write(
        `continuum-kit ref producer: ${status.pending} entries not exported within ${f.timeoutMs} ms\n`,
      );
    return idle ? EXIT.ok : EXIT.usage;
  }
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  logger.info({}, 'stopping: finishing in-flight publishes');
  await driver?.close();
  await producer.stop();
  const cursor = producer.exporter.cursor;
  logger.info({ cursor }, 'stopped; cursor persisted');
  process.stdout.write(`${JSON.stringify({ event: 'stopped', cursor })}\n`);
  return EXIT.ok;
}

/** A sentence naming what is missing on the bus, or undefined when the episode stream is there. */
async function missingStream(url: string, natsConnect: NatsConnectOptions): Promise<string | undefined> {
  try {
    const nc = await connectNats(url, { ...natsConnect, timeoutMs: 3000 });
    try {
      const jsm = await jetstreamManager(nc);
      await jsm.streams.find('continuum.episode.v1.x.y');
      return undefined;
    } catch {
      return `no JetStream stream for continuum.episode.v1.*.* on ${url}: run continuum-kit provision --nats ${url}`;
    } finally {
      await nc.close();
    }
  } catch (error) {
    return `NATS not reachable at ${url} (${error instanceof Error ? error.message : String(error)}); pass --nats URL or set NATS_URL`;
  }
}
