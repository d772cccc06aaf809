/**
 * startServices({ secure }) against real servers: NATS comes from startSecureNats (mTLS or JWT),
 * provisioning runs with the admin credential, each tenant reaches only its own subjects, the
 * fault hooks restart the secure server with its permissions, and stop() deletes the keys.
 */
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTRACT } from 'continuum-contract';
import { provision } from '../../harness/provision.js';
import { natsConnectOptions, type NatsCredential } from '../../harness/security/nats-credential.js';
import { toPermissionDenied } from '../../harness/security/permission-denied-error.js';
import {
  connectNats,
  credentialConnect,
  startServices,
  type Services,
} from '../../harness/services/index.js';

const PG = 'postgres://postgres@127.0.0.1:5432/postgres';
const VALKEY = 'redis://127.0.0.1:6379';
const rnd = (): string => Math.random().toString(36).slice(2, 8);

/** One JetStream publish as `credential`: the stream's sequence, or the refusal's code. */
async function publishAs(services: Services, credential: NatsCredential, subject: string): Promise<string> {
  const nc = await connect(natsConnectOptions(services.natsUrl, credential));
  try {
    const ack = await jetstream(nc).publish(subject, '{}');
    return `acked ${ack.stream}`;
  } catch (error) {
    const refused = toPermissionDenied(error, credential.identity);
    if (refused === undefined) throw error;
    return `refused ${refused.code}`;
  } finally {
    await nc.close();
  }
}

describe.each(['mtls', 'jwt'] as const)('startServices({ secure: %s })', (mode) => {
  const ta = `ta-${rnd()}`;
  const tb = `tb-${rnd()}`;
  const own = `continuum.episode.v1.${ta}.agent-1`;
  const other = `continuum.episode.v1.${tb}.agent-1`;
  let services: Services;
  const tenant = (id: string): NatsCredential => services.secure?.tenants[id] as NatsCredential;

  beforeAll(async () => {
    services = await startServices({
      secure: { mode, tenants: [ta, tb] },
      pg: PG,
      valkey: VALKEY,
      sources: ['flag', 'binary'],
      freshDatabase: true,
    });
  });
  afterAll(async () => {
    await services?.stop();
  });

  it('starts secure NATS from the binary and connects as admin through natsConnect', async () => {
    expect(services.origin).toEqual({ nats: 'binary', pg: 'flag', valkey: 'flag' });
    expect(services.natsUrl).toMatch(/^tls:\/\/127\.0\.0\.1:\d+$/);
    expect(services.secure).toMatchObject({ mode, url: services.natsUrl });
    expect(Object.keys(services.secure?.tenants ?? {}).sort()).toEqual([ta, tb]);
    expect(services.natsConnect.name).toBe(services.secure?.admin.identity);
    // An account per tenant by default: provision(services) lays out each tenant account's streams.
    const accounts = services.secure?.tenantAccounts;
    expect(Object.keys(accounts ?? {}).sort()).toEqual([ta, tb].sort());
    const report = await provision(services);
    const admins = [ta, tb].map((t) => accounts![t]!.admin.identity);
    expect(report.streams.map((s) => `${s.account} ${s.name} ${s.action}`).sort()).toEqual(
      admins.flatMap((a) => Object.values(CONTRACT.streams).map((st) => `${a} ${st.name} created`)).sort(),
    );
  });

  it("lets tenant A publish to its own subject and refuses tenant B's", async () => {
    expect(await publishAs(services, tenant(ta), own)).toBe(`acked ${CONTRACT.streams.episodes.name}`);
    expect(await publishAs(services, tenant(ta), other)).toBe('refused PERMISSION_DENIED');
    expect(await publishAs(services, tenant(tb), other)).toBe(`acked ${CONTRACT.streams.episodes.name}`);
  });

  it('refuses a client without credentials', async () => {
    const caFile = services.secure?.caFile as string;
    await expect(
      connect({ servers: services.natsUrl, tls: { caFile }, reconnect: false, timeout: 5_000 }),
      // mTLS: the server ends the handshake; under TLS 1.3 the client sees the alert or a reset.
    ).rejects.toThrow(mode === 'mtls' ? /certificate|ECONNRESET|EPIPE/i : /Authorization Violation/);
  });

  it('comes back after stopNats(SIGKILL) + startNats() with its stream and permissions', async () => {
    const before = services.pids.nats;
    await services.stopNats('SIGKILL');
    expect(services.pids.nats).toBeUndefined();
    await expect(publishAs(services, tenant(ta), own)).rejects.toThrow();
    await services.startNats();
    expect(services.pids.nats).not.toBe(before);
    expect(await publishAs(services, tenant(ta), own)).toBe(`acked ${CONTRACT.streams.episodes.name}`);
    expect(await publishAs(services, tenant(ta), other)).toBe('refused PERMISSION_DENIED');
    const nc = await connectNats(
      services.natsUrl,
      credentialConnect(services.secure!.tenantAccounts![ta]!.admin),
    );
    try {
      const info = await (await jetstreamManager(nc)).streams.info(CONTRACT.streams.episodes.name);
      // Two of A's acked in A's account, one before the crash and one after: the store survived.
      expect(info.state.messages).toBe(2);
    } finally {
      await nc.close();
    }
  });

  it('stop() ends the server and deletes its keys', async () => {
    const pid = services.pids.nats as number;
    const keyDir = dirname(services.secure?.caFile as string);
    expect(existsSync(keyDir)).toBe(true);
    await services.stop();
    expect(existsSync(keyDir)).toBe(false);
    expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
  });
});

describe('startServices({ secure }) with options it cannot honour', () => {
  const secure = { mode: 'mtls' as const, tenants: [`t-${rnd()}`] };
  const given = (where: string) =>
    new RegExp(`NATS at nats://127\\.0\\.0\\.1:4222 \\(from ${where}\\) was not started here.*--nats-creds`);

  it.each([
    [
      'a --nats flag',
      { nats: 'nats://127.0.0.1:4222', sources: ['flag', 'binary'] as const },
      given('--nats'),
    ],
    [
      'NATS_URL',
      { env: { NATS_URL: 'nats://127.0.0.1:4222' }, sources: ['env', 'binary'] as const },
      given('NATS_URL'),
    ],
    ['no binary source', { sources: ['flag'] as const }, /add binary to sources/],
    ['natsArgs', { natsArgs: ['-c', 'x.conf'], sources: ['flag', 'binary'] as const }, /drop natsArgs/],
  ])('fails with SERVICE_OPTIONS_CONFLICT given %s', async (_, options, message) => {
    const failure = startServices({ ...options, secure, pg: PG, valkey: VALKEY });
    await expect(failure).rejects.toMatchObject({
      name: 'ServiceError',
      code: 'SERVICE_OPTIONS_CONFLICT',
      service: 'nats',
    });
    await expect(failure).rejects.toThrow(message);
  });
});

describe('startServices({ secure }) with its default account per tenant', () => {
  it("provisions each tenant's account with its admin; each tenant's events land in its own stream", async () => {
    const [ta, tb] = [`ta-${rnd()}`, `tb-${rnd()}`];
    const services = await startServices({
      secure: { mode: 'mtls', tenants: [ta, tb] },
      pg: PG,
      valkey: VALKEY,
      sources: ['flag', 'binary'],
      freshDatabase: true,
    });
    try {
      const accounts = services.secure?.tenantAccounts;
      expect(Object.keys(accounts ?? {}).sort()).toEqual([ta, tb].sort());
      for (const t of [ta, tb]) {
        const report = await provision({
          natsUrl: services.natsUrl,
          pgUrl: services.pgUrl,
          natsConnect: credentialConnect(accounts![t]!.admin),
        });
        expect(report.streams.map((s) => s.action)).toEqual(['created', 'created']);
      }
      const subject = (t: string): string => `continuum.episode.v1.${t}.agent-1`;
      const tenant = (t: string): NatsCredential => services.secure!.tenants[t]!;
      expect(await publishAs(services, tenant(ta), subject(ta))).toBe(
        `acked ${CONTRACT.streams.episodes.name}`,
      );
      expect(await publishAs(services, tenant(ta), subject(tb))).toBe('refused PERMISSION_DENIED');
      // B's account holds B's event only: the stream (and its duplicate window) is B's own.
      const nc = await connect(natsConnectOptions(services.natsUrl, accounts![tb]!.admin));
      try {
        await jetstream(nc).publish(subject(tb), '{}');
        const info = await (await jetstreamManager(nc)).streams.info(CONTRACT.streams.episodes.name);
        expect(info.state.messages).toBe(1);
      } finally {
        await nc.close();
      }
    } finally {
      await services.stop();
    }
  }, 60_000);
});
