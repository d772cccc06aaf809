import type { Command } from 'commander';
import { createLogger } from '../../harness/logger.js';
import { provision, type ProvisionReport } from '../../harness/provision.js';
import { ServiceError } from '../../harness/services/service-error.js';
import { EXIT } from '../exit-codes.js';
import { addServiceOptions, toNatsConnectOptions, type ServiceCliOptions } from '../service-options.js';

interface ProvisionCliOptions extends ServiceCliOptions {
  replicas?: string;
  connectTimeout: string;
  json?: boolean;
  logLevel: string;
}

function summary(report: ProvisionReport): string {
  const lines = [
    ...report.streams.map((stream) => `stream ${stream.name}: ${stream.action}`),
    ...report.tables.map((table) => `table ${table.name}: ${table.action}`),
    `valkey: ${report.valkey}`,
    `audit row: ${report.auditId}`,
  ];
  return `${lines.join('\n')}\n`;
}

/** Registers `continuum-kit provision`: streams + migration on running services, idempotent. */
export function registerProvision(program: Command): void {
  const command = program
    .command('provision')
    .description('Create or update the JetStream streams and run the PostgreSQL migration (safe to repeat)');
  addServiceOptions(command)
    .option('--replicas <n>', 'stream replicas (default: the contract, 1; use 3 on a 3-node cluster)')
    .option('--connect-timeout <ms>', 'how long each service may take to answer', '5000')
    .option('--json', 'print the report as JSON')
    .option('--log-level <level>', 'diagnostics on stderr: debug, info, warn, error', 'warn')
    .addHelpText(
      'after',
      `
Provisions services that are already running: URLs come from the flags, else NATS_URL,
DATABASE_URL and VALKEY_URL (Valkey is optional; it is only checked). Prints what it created
or found, and writes an audit row. Exit 0 ok, 2 when a service cannot be reached or refused.
Streams are laid out in the account the NATS credential reaches: with an account per tenant
(asyncapi.yaml x-security.accounts), run it once per tenant account with that account's admin
credential (--nats-creds, or --nats-tls-cert and --nats-tls-key).

Examples:
  $ continuum-kit provision --nats nats://127.0.0.1:4222 --pg postgres://postgres@127.0.0.1:5432/test
  $ NATS_URL=nats://127.0.0.1:4222 DATABASE_URL=postgres://postgres@127.0.0.1/test continuum-kit provision --json`,
    )
    .action(async (options: ProvisionCliOptions) => {
      const natsUrl = options.nats ?? process.env.NATS_URL;
      const pgUrl = options.pg ?? process.env.DATABASE_URL;
      const valkeyUrl = options.valkey ?? process.env.VALKEY_URL;
      const missing = [
        ...(natsUrl === undefined ? ['NATS (--nats URL or NATS_URL)'] : []),
        ...(pgUrl === undefined ? ['PostgreSQL (--pg URL or DATABASE_URL)'] : []),
      ];
      const replicas = options.replicas === undefined ? undefined : Number(options.replicas);
      if (replicas !== undefined && !(Number.isInteger(replicas) && replicas >= 1 && replicas <= 5)) {
        process.stderr.write(
          `continuum-kit provision: --replicas must be an integer from 1 to 5, got '${options.replicas}'\n`,
        );
        process.exitCode = EXIT.usage;
        return;
      }
      const connectTimeoutMs = Number(options.connectTimeout);
      if (!(Number.isInteger(connectTimeoutMs) && connectTimeoutMs > 0)) {
        process.stderr.write(
          `continuum-kit provision: --connect-timeout must be a positive integer (ms), got '${options.connectTimeout}'\n`,
        );
        process.exitCode = EXIT.usage;
        return;
      }
      if (natsUrl === undefined || pgUrl === undefined) {
        process.stderr.write(
          `continuum-kit provision: no URL for ${missing.join(' and ')}. Provision sets up long-lived services, so it never starts temporary ones.\n`,
        );
        process.exitCode = EXIT.usage;
        return;
      }
      try {
        const report = await provision({
          natsUrl,
          pgUrl,
          ...(valkeyUrl === undefined ? {} : { valkeyUrl }),
          ...(replicas === undefined ? {} : { replicas }),
          natsConnect: toNatsConnectOptions(options),
          connectTimeoutMs,
          logger: createLogger({ level: options.logLevel, name: 'provision' }),
        });
        process.stdout.write(
          options.json === true ? `${JSON.stringify(report, null, 2)}\n` : summary(report),
        );
        process.exitCode = EXIT.ok;
      } catch (error) {
        if (!(error instanceof ServiceError)) throw error;
        process.stderr.write(`continuum-kit provision: ${error.message} [${error.code}]\n`);
        process.exitCode = EXIT.usage;
      }
    });
}
