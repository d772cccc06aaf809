import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { createLogger } from '../../harness/logger.js';
import { provision, serviceUrls, startServices, type Services } from '../../harness/services/index.js';
import { ReferenceProducer, startDriverServer, writeDemoEpisodes } from '../../harness/producer/index.js';
import { createProjectorRuntime } from '../../harness/projector/projector-runtime.js';
import { EXIT } from '../exit-codes.js';
import {
  SERVICE_HELP,
  addServiceOptions,
  toServiceOptions,
  type ServiceCliOptions,
} from '../service-options.js';
import { PROJECTION_TABLES } from 'continuum-contract';

interface UpFlags extends ServiceCliOptions {
  demo?: number;
  driverPort: number;
  metricsPort: number;
  timeoutMs: number;
  logLevel: string;
  db?: string;
}

function parseCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new InvalidArgumentError(`expected a non-negative integer, got '${value}'`);
  return n;
}

/** Registers `continuum-kit ref up`: the whole reference (services, producer, projector) in one process. */
export function registerRefUp(ref: Command): void {
  const command = ref
    .command('up')
    .description('Run the whole reference: find or start services, provision, run producer and projector');
  addServiceOptions(command)
    .option(
      '--demo <n>',
      'write N demo episodes, wait until they are projected, print a summary, exit',
      parseCount,
    )
    .option(
      '--driver-port <n>',
      'producer driver protocol port on 127.0.0.1 (0: any free port)',
      parseCount,
      0,
    )
    .option('--metrics-port <n>', 'projector /metrics port on 127.0.0.1 (0: any free port)', parseCount, 0)
    .option(
      '--timeout-ms <ms>',
      'with --demo: give up when not projected by then (exit 2)',
      parseCount,
      60_000,
    )
    .option('--db <path>', 'the producer SQLite store (default: a new one in a temp dir); kept at exit')
    .option('--log-level <level>', 'pino level for stderr logs', 'warn')
    .addHelpText(
      'after',
      `
Examples:
  # everything on services found or started locally; 200 demo episodes end to end, then exit
  $ continuum-kit ref up --demo 200
  # keep running: drive the producer over HTTP (driver/openapi.yaml), scrape /metrics
  $ continuum-kit ref up --driver-port 8787 --metrics-port 9464
  # keep the producer store to replay from it afterwards (ref backfill --db producer.sqlite)
  $ continuum-kit ref up --demo 200 --db producer.sqlite

Stdout gets one JSON line with the URLs when everything is up, and one summary line at the end.
SIGTERM or SIGINT drains both sides and exits 0.
${SERVICE_HELP}`,
    )
    .action(async (flags: UpFlags) => {
      process.exitCode = await up(flags);
    });
}

async function up(f: UpFlags): Promise<number> {
  const logger = createLogger({ level: f.logLevel, name: 'ref-up' });
  let services: Services;
  try {
    services = await startServices(toServiceOptions(f, { logger }));
    await provision({ ...serviceUrls(services), logger });
  } catch (error) {
    process.stderr.write(`continuum-kit ref up: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.usage;
  }
  const runtime = await createProjectorRuntime({
    ...serviceUrls(services),
    phase: 'alerts-enforced',
    metricsPort: f.metricsPort,
    logger,
  });
  const { projector, pool } = runtime;
  const dbPath = f.db ?? path.join(mkdtempSync(path.join(os.tmpdir(), 'ck-ref-')), 'producer.sqlite');
  const producer = new ReferenceProducer({
    dbPath,
    natsUrl: services.natsUrl,
    nats: services.natsConnect,
    valkeyUrl: services.valkeyUrl,
    pgUrl: services.pgUrl,
    logger,
  });
  await projector.start();
  producer.start();
  const driver = await startDriverServer(producer, { port: f.driverPort });
  process.stderr.write(
    `continuum-kit ref up: producer store ${dbPath} (kept; ref backfill --db ${dbPath})\n`,
  );
  process.stdout.write(
    `${JSON.stringify({ event: 'up', driver: driver.url, metrics: runtime.metricsUrl, nats: services.natsUrl, origin: services.origin, sqlite: dbPath })}\n`,
  );
  let code: number = EXIT.ok;
  try {
    if (f.demo === undefined) {
      await new Promise<void>((resolve) => {
        process.once('SIGTERM', resolve);
        process.once('SIGINT', resolve);
      });
    } else {
      code = await demo(f.demo, f.timeoutMs);
    }
  } finally {
    await driver.close();
    await producer.stop();
    await projector.stop();
    await runtime.close();
    await services.stop();
  }
  return code;

  async function demo(n: number, timeoutMs: number): Promise<number> {
    const tenant = `demo-${Math.random().toString(36).slice(2, 8)}`;
    const summary = writeDemoEpisodes(producer, n, tenant, 'demo-agent');
    const exported = await producer.exporter.waitIdle(timeoutMs);
    const status = producer.status();
    // Every published event is projected or deduplicated once the projector catches up.
    const published = status.counters.published;
    const deadline = Date.now() + timeoutMs;
    let seen = 0;
    while (Date.now() < deadline) {
      const r = await pool.query<{ n: string }>(
        `SELECT count(*) AS n FROM ${PROJECTION_TABLES.events} WHERE tenant_id = $1`,
        [tenant],
      );
      seen = Number(r.rows[0]?.n ?? 0);
      if (seen >= published) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const rows = await pool.query<{ n: string; deleted: string }>(
      `SELECT count(*) AS n, count(*) FILTER (WHERE deleted) AS deleted FROM ${PROJECTION_TABLES.projection} WHERE tenant_id = $1`,
      [tenant],
    );
    const ok = exported && seen >= published;
    process.stdout.write(
      `${JSON.stringify({
        event: 'demo',
        tenant_id: tenant,
        ...summary,
        published,
        blocked_by_policy: status.counters.blocked,
        projected_events: seen,
        rows: Number(rows.rows[0]?.n ?? 0),
        deleted_rows: Number(rows.rows[0]?.deleted ?? 0),
        ok,
      })}\n`,
    );
    if (!ok) process.stderr.write(`continuum-kit ref up: not all events projected within ${timeoutMs} ms\n`);
    return ok ? EXIT.ok : EXIT.usage;
  }
}
