import { InvalidArgumentError, Option, type Command } from 'commander';
import { createLogger } from '../../harness/logger.js';
import { ensureProjectorTopology } from '../../harness/projector/ensure-topology.js';
import { PHASE_NAMES, type PhaseName } from '../../harness/projector/phase.js';
import { createProjectorRuntime } from '../../harness/projector/projector-runtime.js';
import { serviceUrls, startServices, type Services } from '../../harness/services/index.js';
import { EXIT } from '../exit-codes.js';
import {
  addServiceOptions,
  SERVICE_HELP,
  toServiceOptions,
  type ServiceCliOptions,
} from '../service-options.js';

interface ProjectorFlags extends ServiceCliOptions {
  phase: PhaseName;
  metricsPort: number;
  batchSize: number;
  maxWaitMs: number;
  logLevel: string;
}

function intIn(min: number, max: number): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!/^\d+$/.test(v) || n < min || n > max)
      throw new InvalidArgumentError(`expected an integer ${min}-${max}`);
    return n;
  };
}

const EXAMPLES = `
Examples:
  # services from the environment (NATS_URL, DATABASE_URL, VALKEY_URL) or started locally
  $ continuum-kit ref projector
  # explicit services, shadow projection (PostgreSQL only, no cache), metrics on :9464
  $ continuum-kit ref projector --nats nats://127.0.0.1:4222 \\
      --pg postgres://postgres@127.0.0.1:5432/test --valkey redis://127.0.0.1:6379 --phase shadow
  # scale out: run the same command several times; they share the durable consumer
  $ continuum-kit ref projector --metrics-port 0 --batch-size 1000
  # a secure bus: mTLS client certificate (or --nats-creds projector.creds for JWT auth)
  $ continuum-kit ref projector --nats tls://bus:4222 --nats-tls-ca ca.pem \\
      --nats-tls-cert projector.pem --nats-tls-key projector-key.pem

Stdout gets one JSON line when started (metrics URL) and one when stopped (counts).
SIGTERM or SIGINT drains the in-flight batch, commits, acks and exits 0.
${SERVICE_HELP}`;

/** Registers `continuum-kit ref projector`: the reference projector (Bus side). */
export function registerRefProjector(ref: Command): void {
  const command = ref
    .command('projector')
    .description('Project continuum.episode.v1 from JetStream into PostgreSQL (and the Valkey cache)');
  addServiceOptions(command)
    .addOption(
      new Option('--phase <name>', 'rollout phase (CT-10.phases)')
        .choices(PHASE_NAMES)
        .default('alerts-enforced'),
    )
    .option(
      '--metrics-port <n>',
      'Prometheus /metrics port on 127.0.0.1 (0: any free port)',
      intIn(0, 65535),
      9464,
    )
    .option(
      '--batch-size <n>',
      'most messages per transaction (one advisory lock per episode in it)',
      intIn(1, 1000),
      500,
    )
    .option('--max-wait-ms <n>', 'how long to gather a partial batch', intIn(0, 10_000), 5)
    .option('--log-level <level>', 'pino level for stderr logs', 'info')
    .addHelpText('after', EXAMPLES)
    .action(async (flags: ProjectorFlags) => {
      process.exitCode = await runProjector(flags);
    });
}

async function runProjector(flags: ProjectorFlags): Promise<number> {
  const logger = createLogger({ level: flags.logLevel, name: 'continuum-projector' });
  let services: Services;
  try {
    services = await startServices(toServiceOptions(flags, { logger }));
  } catch (err) {
    process.stderr.write(`continuum-kit ref projector: ${(err as Error).message}\n`);
    return EXIT.usage;
  }
  const runtime = await createProjectorRuntime({ ...serviceUrls(services), ...flags, logger });
  const { projector, metrics } = runtime;
  const shutdown = async (): Promise<void> => {
    await runtime.close();
    await services.stop();
  };
  try {
    await ensureProjectorTopology(runtime.nc, runtime.pool);
    await projector.start();
  } catch (err) {
    process.stderr.write(`continuum-kit ref projector: cannot start: ${(err as Error).message}\n`);
    await shutdown();
    return EXIT.usage;
  }
  process.stdout.write(
    `${JSON.stringify({ event: 'started', phase: flags.phase, metrics: runtime.metricsUrl, pid: process.pid })}\n`,
  );
  const stopOn = (signal: NodeJS.Signals) => {
    logger.info({ signal }, 'draining');
    void projector.stop();
  };
  process.once('SIGTERM', stopOn);
  process.once('SIGINT', stopOn);
  await projector.done;
  const counts = Object.fromEntries(
    await Promise.all(
      (['projected', 'duplicate', 'stale', 'dlq'] as const).map(async (o) => [o, await metrics.count(o)]),
    ),
  );
  await shutdown();
  process.stdout.write(`${JSON.stringify({ event: 'stopped', ...counts })}\n`);
  return EXIT.ok;
}
