/**
 * The transport-security conformance checks against real deployments: all pass on the generated
 * secure configs (mTLS and JWT), and the right ones fail on deliberately weakened configs, which
 * shows each check can fail.
 */
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, describe, expect, it } from 'vitest';
import { natsConnectOptions, type NatsCredential } from '../../harness/security/nats-credential.js';
import { startSecureNats } from '../../harness/security/start-secure-nats.js';
import type {
  SecureNats,
  SecureNatsMode,
  SecureNatsWeakening,
} from '../../harness/security/start-secure-nats.js';
import {
  checkRefusedNotDelivered,
  checkTransportAuth,
  runSecurityChecks,
} from '../../conformance/security/index.js';
import { freePort } from '../../harness/security/nats-server-process.js';
import { ensureStreams } from '../../harness/services/ensure-streams.js';
import { silentLogger } from '../../harness/logger.js';
import { CONTRACT } from 'continuum-contract';
import type { SecurityCheckResult, SecurityTarget } from '../../conformance/security/index.js';

const rnd = (): string => Math.random().toString(36).slice(2, 8);
const running: SecureNats[] = [];
afterAll(async () => {
  await Promise.all(running.map((b) => b.stop()));
});

/**
 * Layouts: 'accounts' is the spec's (x-security.accounts: an account per tenant, each with the
 * contract's streams); 'shared' is one account and one episode stream whose duplicate window every
 * tenant shares (the layout before the msg-id-squatting fix); 'sourced' gives each tenant a stream
 * of its own in one account, sourced into the shared stream, which deduplicates again.
 */
async function deploy(
  mode: SecureNatsMode,
  weaken?: SecureNatsWeakening,
  layout: 'accounts' | 'shared' | 'sourced' = 'accounts',
): Promise<SecurityTarget> {
  const ta = `ta-${rnd()}`;
  const tb = `tb-${rnd()}`;
  const accounts = layout === 'accounts' ? 'account-per-tenant' : 'shared';
  const bus = await startSecureNats({ mode, tenants: [ta, tb], weaken, accounts });
  running.push(bus);
  const admins = bus.tenantAccounts ? Object.values(bus.tenantAccounts).map((a) => a.admin) : [bus.admin];
  for (const cred of admins) {
    const admin = await connect(natsConnectOptions(bus.url, cred));
    const jsm = await jetstreamManager(admin);
    if (layout === 'sourced') await sourcedStreams(jsm, [ta, tb]);
    else await ensureStreams(jsm, Object.values(CONTRACT.streams), { logger: silentLogger });
    await admin.close();
  }
  return {
    url: bus.url,
    caFile: bus.caFile,
    tenantA: { tenantId: ta, credential: bus.tenants[ta]! },
    tenantB: { tenantId: tb, credential: bus.tenants[tb]! },
    observer: bus.tenantAccounts?.[tb]?.projector ?? bus.projector,
    ...(bus.tenantAccounts
      ? {
          tenantA: {
            tenantId: ta,
            credential: bus.tenants[ta]!,
            observer: bus.tenantAccounts[ta]!.projector,
          },
        }
      : {}),
    timeoutMs: 3_000,
  };
}

/** A stream per tenant, and the contract's episode stream sourcing them all. */
async function sourcedStreams(jsm: JetStreamManager, tenants: string[]): Promise<void> {
  const episodes = CONTRACT.streams.episodes;
  const own = tenants.map((t) => ({
    ...episodes,
    name: `${episodes.name}_${t}`,
    subjects: [`continuum.episode.v1.${t}.*`],
  }));
  await ensureStreams(jsm, own, { logger: silentLogger });
  await jsm.streams.add({ name: episodes.name, sources: own.map((s) => ({ name: s.name })) });
}
/** Messages left in the episode stream `credential`'s account sees. */
async function storedEpisodes(url: string, credential: NatsCredential): Promise<number> {
  const nc = await connect(natsConnectOptions(url, credential));
  try {
    const info = await (await jetstreamManager(nc)).streams.info(CONTRACT.streams.episodes.name);
    return info.state.messages;
  } finally {
    await nc.close();
  }
}

const verdicts = (rs: SecurityCheckResult[]): Record<string, boolean> =>
  Object.fromEntries(rs.map((r) => [`${r.clauseId} ${r.check}`, r.ok]));

describe.each(['mtls', 'jwt'] as const)('security conformance checks (%s)', (mode) => {
  it('all pass against the secure deployment', async () => {
    const target = await deploy(mode);
    const results = await runSecurityChecks(target);
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(verdicts(results)).toEqual({
      'CT-7.transport-auth no-credentials-refused': true,
      'CT-6.fail-closed forged-credentials-refused': true,
      'CT-7.tenant-isolation cross-tenant-publish': true,
      'CT-7.tenant-isolation cross-tenant-read': true,
      'CT-6.fail-closed refused-publish-not-delivered': true,
      'CT-7.tenant-isolation inbox-and-wildcard-read': true,
      'CT-7.tenant-isolation msg-id-squatting': true,
    });
    const inbox = results.find((r) => r.check === 'inbox-and-wildcard-read')!;
    expect(inbox.detail).toMatch(/observer pulled and acked them; A received nothing/);
    expect(inbox.detail).toMatch(/A subscribes _INBOX\.>: refused/);
    const squat = results.find((r) => r.check === 'msg-id-squatting')!;
    expect(squat.detail).toMatch(/dropped as a duplicate \(control\)/);
    // The probes left nothing behind in either tenant's stream.
    expect(await storedEpisodes(target.url, target.observer!)).toBe(0);
    expect(await storedEpisodes(target.url, target.tenantA.observer!)).toBe(0);
  });

  it('the inbox probe fails when tenants may read the shared _INBOX root (the old way)', async () => {
    const results = await runSecurityChecks(await deploy(mode, 'shared-inboxes', 'shared'));
    const failed = results.filter((r) => !r.ok).map((r) => r.check);
    // One account and one stream, as before both fixes: the squat gets through as well.
    expect(failed).toEqual(['inbox-and-wildcard-read', 'msg-id-squatting']);
    const inbox = results.find((r) => r.check === 'inbox-and-wildcard-read')!;
    expect(inbox.detail).toMatch(/A RECEIVED \d+ messages it must not see, e\.g\. on _INBOX\./);
  });

  it('the squatting probe fails when every tenant shares one stream and its duplicate window', async () => {
    const results = await runSecurityChecks(await deploy(mode, undefined, 'shared'));
    const failed = results.filter((r) => !r.ok).map((r) => r.check);
    expect(failed).toEqual(['msg-id-squatting']);
    const squat = results.find((r) => r.check === 'msg-id-squatting')!;
    expect(squat.detail).toMatch(/DUPLICATE \(not stored\).*suppressed by A's publish/);
  });

  it('the squatting probe fails when per-tenant streams are sourced into one shared stream', async () => {
    const results = await runSecurityChecks(await deploy(mode, undefined, 'sourced'));
    const squat = results.find((r) => r.check === 'msg-id-squatting')!;
    expect(squat.ok).toBe(false);
    expect(squat.detail).toMatch(/never reached CONTINUUM_EPISODES, the stream the projector reads/);
  });

  it('tenant-isolation and fail-closed checks fail when every user has open permissions', async () => {
    const results = await runSecurityChecks(await deploy(mode, 'open-permissions', 'shared'));
    expect(verdicts(results)).toEqual({
      'CT-7.transport-auth no-credentials-refused': true, // still authenticated
      'CT-6.fail-closed forged-credentials-refused': true,
      'CT-7.tenant-isolation cross-tenant-publish': false,
      'CT-7.tenant-isolation cross-tenant-read': false,
      'CT-6.fail-closed refused-publish-not-delivered': false,
      'CT-7.tenant-isolation inbox-and-wildcard-read': false,
      'CT-7.tenant-isolation msg-id-squatting': false,
    });
    const publish = results.find((r) => r.check === 'cross-tenant-publish')!;
    expect(publish.detail).toMatch(/ACCEPTED/);
  });

  it('every check fails when the server accepts anyone', async () => {
    const results = await runSecurityChecks(await deploy(mode, 'no-auth', 'shared'));
    expect(results.map((r) => r.ok)).toEqual([false, false, false, false, false, false, false]);
    expect(results[0]!.detail).toMatch(/no credential connected/);
  });
});

describe('positive controls', () => {
  it('an unreachable bus does not pass as "refuses anonymous clients"', async () => {
    const target = await deploy('mtls');
    const r = await checkTransportAuth({ ...target, url: `tls://127.0.0.1:${await freePort()}` });
    expect(r.ok).toBe(false);
    expect(r.detail).toMatch(/cannot connect either/);
  });

  it('an observer that may not read tenant B does not pass as "nothing delivered"', async () => {
    const target = await deploy('jwt');
    const r = await checkRefusedNotDelivered({
      ...target,
      tenantA: { ...target.tenantA, observer: target.tenantA.credential },
    });
    expect(r).toMatchObject({ ok: false, clauseId: 'CT-6.fail-closed' });
    expect(r!.detail).toMatch(/may not subscribe to continuum\.episode\.v1\./);
  });
});
