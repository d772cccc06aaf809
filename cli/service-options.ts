import { InvalidArgumentError, Option, type Command } from 'commander';
import type { NatsConnectOptions } from '../harness/services/connect-nats.js';
import type { ServiceOptions } from '../harness/services/services.js';

/** The parsed values of the options {@link addServiceOptions} adds (commander camelCases them). */
export interface ServiceCliOptions {
  nats?: string;
  pg?: string;
  valkey?: string;
  natsCreds?: string;
  natsTlsCert?: string;
  natsTlsKey?: string;
  natsTlsCa?: string;
  natsInboxPrefix?: string;
}

/** Help text shared by every command that takes services. */
export const SERVICE_HELP = `
Services are resolved in order: the flag, then NATS_URL / DATABASE_URL / VALKEY_URL, then
nats-server, initdb+postgres and valkey-server/redis-server found on PATH (started in a temp
dir on free loopback ports, stopped at exit), then Docker via testcontainers.`;

/** URL schemes each service's client accepts. */
const URL_SCHEMES = {
  nats: ['nats:', 'tls:', 'ws:', 'wss:'],
  pg: ['postgres:', 'postgresql:'],
  valkey: ['redis:', 'rediss:', 'valkey:', 'valkeys:'],
} as const;

/**
 * A commander parser that rejects a service URL before any connection is tried, so `--pg not-a-url`
 * is a flag error at once rather than a DNS failure after the connect timeout.
 */
export function serviceUrlParser(
  service: keyof typeof URL_SCHEMES,
  example: string,
): (value: string) => string {
  const schemes: readonly string[] = URL_SCHEMES[service];
  return (value) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new InvalidArgumentError(`not a URL; expected one like ${example}`);
    }
    if (!schemes.includes(url.protocol)) {
      throw new InvalidArgumentError(
        `scheme '${url.protocol}' is not one of ${schemes.join(' ')}; e.g. ${example}`,
      );
    }
    if (url.hostname === '' && service !== 'pg') {
      throw new InvalidArgumentError(`no host; expected one like ${example}`);
    }
    return value;
  };
}

/** Adds --nats, --pg, --valkey and the NATS credential/TLS options to `command`. */
export function addServiceOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--nats <url>', 'NATS URL, e.g. nats://127.0.0.1:4222 (else NATS_URL)').argParser(
        serviceUrlParser('nats', 'nats://127.0.0.1:4222'),
      ),
    )
    .addOption(
      new Option(
        '--pg <url>',
        'PostgreSQL URL, e.g. postgres://postgres@127.0.0.1:5432/postgres (else DATABASE_URL)',
      ).argParser(serviceUrlParser('pg', 'postgres://postgres@127.0.0.1:5432/postgres')),
    )
    .addOption(
      new Option(
        '--valkey <url>',
        'Valkey/Redis URL, e.g. redis://127.0.0.1:6379 (else VALKEY_URL)',
      ).argParser(serviceUrlParser('valkey', 'redis://127.0.0.1:6379')),
    )
    .addOption(new Option('--nats-creds <file>', 'NATS .creds file (JWT + nkey seed)'))
    .addOption(new Option('--nats-tls-cert <file>', 'client certificate for NATS mTLS'))
    .addOption(new Option('--nats-tls-key <file>', 'client key for NATS mTLS'))
    .addOption(new Option('--nats-tls-ca <file>', 'CA certificate that signed the NATS server certificate'))
    .addOption(
      new Option(
        '--nats-inbox-prefix <prefix>',
        "root of this connection's reply inboxes, as the bus grants it (asyncapi.yaml x-security.inbox_prefixes: _INBOX_PRODUCER.<tenant>, _INBOX_PROJECTOR, _INBOX_KIT)",
      ),
    );
}

/** The NATS connect options from the credential and TLS flags. */
export function toNatsConnectOptions(options: ServiceCliOptions): NatsConnectOptions {
  const natsConnect: NatsConnectOptions = {};
  if (options.natsCreds !== undefined) natsConnect.credsFile = options.natsCreds;
  if (options.natsInboxPrefix !== undefined) natsConnect.inboxPrefix = options.natsInboxPrefix;
  const { natsTlsCert: certFile, natsTlsKey: keyFile, natsTlsCa: caFile } = options;
  if (certFile !== undefined || keyFile !== undefined || caFile !== undefined) {
    natsConnect.tls = {
      ...(certFile === undefined ? {} : { certFile }),
      ...(keyFile === undefined ? {} : { keyFile }),
      ...(caFile === undefined ? {} : { caFile }),
    };
  }
  return natsConnect;
}

/** Parsed options -> {@link ServiceOptions} for startServices (`extra` adds freshDatabase, logger...). */
export function toServiceOptions(options: ServiceCliOptions, extra: ServiceOptions = {}): ServiceOptions {
  return {
    ...(options.nats === undefined ? {} : { nats: options.nats }),
    ...(options.pg === undefined ? {} : { pg: options.pg }),
    ...(options.valkey === undefined ? {} : { valkey: options.valkey }),
    natsConnect: toNatsConnectOptions(options),
    ...extra,
  };
}
