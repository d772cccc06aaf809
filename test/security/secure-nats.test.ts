/**
 * Real nats-server started from the generated configs (mTLS and JWT): credentials are required,
 * each tenant's producer reaches only its own subjects, and a refused publish becomes a typed
 * PermissionDeniedError plus a 'publish_refused' audit entry rather than a crash or a retry loop.
 */
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateAuditEntry } from 'continuum-contract';
import { natsConnectOptions } from '../../harness/security/nats-credential.js';
import { PermissionDeniedError } from '../../harness/security/permission-denied-error.js';
import { publishOrRefuse } from '../../harness/security/publish-or-refuse.js';
import type { AuditEntry } from '../../harness/security/refused-publish-audit.js';
import { startSecureNats } from '../../harness/security/start-secure-nats.js';
import type { SecureNats } from '../../harness/security/start-secure-nats.js';
import { watchPermissionViolations } from '../../harness/security/watch-permission-violations.js';

const rnd = (): string => Math.random().toString(36).slice(2, 8);

describe.each(['mtls', 'jwt'] as const)('secure NATS (%s)', (mode) => {
  const ta = `ta-${rnd()}`;
  const tb = `tb-${rnd()}`;
  let bus: SecureNats;
  const open: NatsConnection[] = [];
  const connectAs = async (who: 'a' | 'b' | 'projector'): Promise<NatsConnection> => {
    const cred = who === 'projector' ? bus.projector : bus.tenants[who === 'a' ? ta : tb]!;
    const nc = await connect(natsConnectOptions(bus.url, cred));
    open.push(nc);
    return nc;
  };

  beforeAll(async () => {
    // One account: these check the permissions that keep tenants apart inside it (the stream
    // holds every tenant's subjects), not the account layout.
    bus = await startSecureNats({ mode, tenants: [ta, tb], accounts: 'shared' });
    const admin = await connect(natsConnectOptions(bus.url, bus.admin));
    const jsm = await jetstreamManager(admin);
    await jsm.streams.add({ name: 'CONTINUUM_EPISODES', subjects: ['continuum.episode.v1.*.*'] });
    await admin.close();
  });
  afterAll(async () => {
    await Promise.all(open.map((nc) => nc.close().catch(() => undefined)));
    await bus?.stop();
  });

  it('refuses a client without credentials', async () => {
    await expect(
      connect({ servers: bus.url, tls: { caFile: bus.caFile }, reconnect: false, timeout: 5_000 }),
      // mTLS: the server ends the handshake; under TLS 1.3 the client sees the alert or a reset.
    ).rejects.toThrow(mode === 'mtls' ? /certificate|ECONNRESET|EPIPE/i : /Authorization Violation/);
  });

  it("acks tenant A's publish to its own subject through JetStream", async () => {
    const js = jetstream(await connectAs('a'));
    const ack = await js.publish(`continuum.episode.v1.${ta}.agent-1`, '{}');
    expect(ack.stream).toBe('CONTINUUM_EPISODES');
    expect(ack.seq).toBeGreaterThan(0);
  });

  it("turns a publish to tenant B's subject into PermissionDeniedError + audit entry, then keeps working", async () => {
    const nc = await connectAs('a');
    const js = jetstream(nc);
    const subject = `continuum.episode.v1.${tb}.agent-1`;
    const identity = bus.tenants[ta]!.identity;
    const audits: AuditEntry[] = [];
    const out = await publishOrRefuse(
      () => js.publish(subject, '{}'),
      { identity, params: { event_id: 'e1' } },
      (e) => {
        audits.push(e);
      },
    );
    expect(out.ok).toBe(false);
    if (out.ok) return;
    expect(out.error).toBeInstanceOf(PermissionDeniedError);
    expect(out.error.code).toBe('PERMISSION_DENIED');
    expect(out.error.message).toContain(subject);
    expect(out.error.message).toContain(identity);
    expect(audits).toEqual([out.audit]);
    expect(out.audit).toMatchObject({
      action: 'publish_refused',
      outcome: 'refused',
      tenant_id: tb,
      agent_id: 'agent-1',
      params: { subject, event_id: 'e1', code: 'PERMISSION_DENIED' },
    });
    expect(validateAuditEntry(out.audit)).toEqual({ ok: true, value: out.audit });
    // Not a crash: the same connection still publishes to A's own subject.
    expect(nc.isClosed()).toBe(false);
    expect((await js.publish(`continuum.episode.v1.${ta}.agent-1`, '{}')).seq).toBeGreaterThan(0);
  });

  it('reports a refused fire-and-forget publish asynchronously as PermissionDeniedError', async () => {
    const nc = await connectAs('a');
    const subject = `continuum.episode.v1.${tb}.agent-2`;
    const refused = new Promise<PermissionDeniedError>((resolve) => {
      void watchPermissionViolations(nc, 'tenant-a', resolve);
    });
    nc.publish(subject, '{}');
    await nc.flush();
    const err = await refused;
    expect(err).toMatchObject({ code: 'PERMISSION_DENIED', operation: 'publish', subject });
  });

  it("refuses tenant A's subscription to tenant B's subjects", async () => {
    const nc = await connectAs('a');
    const sub = nc.subscribe(`continuum.episode.v1.${tb}.>`);
    await nc.flush();
    const closed = await sub.closed;
    expect(closed).toBeInstanceOf(Error);
    expect((closed as Error).message).toMatch(/Permissions Violation for Subscription/);
  });

  it('lets a publish that was refused never reach the stream', async () => {
    const projector = await connectAs('projector');
    const jsm = await jetstreamManager(projector);
    const info = await jsm.streams.info('CONTINUUM_EPISODES', {
      subjects_filter: `continuum.episode.v1.${tb}.>`,
    });
    expect(info.state.subjects ?? {}).toEqual({});
    expect(
      Object.keys(
        (await jsm.streams.info('CONTINUUM_EPISODES', { subjects_filter: '>' })).state.subjects ?? {},
      ),
    ).toEqual([`continuum.episode.v1.${ta}.agent-1`]);
  });
});

describe('startSecureNats teardown', () => {
  it('stops the server and deletes keys, creds and the JetStream store', async () => {
    const bus = await startSecureNats({ mode: 'jwt', tenants: [`t-${rnd()}`] });
    const dir = dirname(bus.caFile);
    expect(existsSync(dir)).toBe(true);
    await bus.stop();
    expect(existsSync(dir)).toBe(false);
    expect(() => process.kill(bus.pid, 0)).toThrow(/ESRCH/);
  });
});
