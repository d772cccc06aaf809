import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { addServiceOptions, toServiceOptions, type ServiceCliOptions } from './service-options.js';

function parse(argv: string[]): ServiceCliOptions {
  const command = addServiceOptions(new Command('x').exitOverride());
  command.parse(argv, { from: 'user' });
  return command.opts<ServiceCliOptions>();
}

describe('service options', () => {
  it('maps URL, creds and TLS flags to ServiceOptions', () => {
    const options = parse([
      '--nats',
      'nats://h:4222',
      '--pg',
      'postgres://h/db',
      '--valkey',
      'redis://h:6379',
      '--nats-creds',
      'u.creds',
      '--nats-tls-cert',
      'c.pem',
      '--nats-tls-key',
      'k.pem',
      '--nats-tls-ca',
      'ca.pem',
      '--nats-inbox-prefix',
      '_INBOX_PRODUCER.acme',
    ]);
    expect(toServiceOptions(options, { freshDatabase: true })).toEqual({
      nats: 'nats://h:4222',
      pg: 'postgres://h/db',
      valkey: 'redis://h:6379',
      natsConnect: {
        credsFile: 'u.creds',
        inboxPrefix: '_INBOX_PRODUCER.acme',
        tls: { certFile: 'c.pem', keyFile: 'k.pem', caFile: 'ca.pem' },
      },
      freshDatabase: true,
    });
  });

  it('leaves unset flags out, so the environment and binaries can resolve them', () => {
    expect(toServiceOptions(parse([]))).toEqual({ natsConnect: {} });
  });
});
