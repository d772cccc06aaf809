/**
 * The transport-security conformance checks against real deployments: all pass on the generated
 * secure configs (mTLS and JWT), and the right ones fail on deliberately weakened configs, which
 * shows each check can fail.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, describe, expect, it } from 'vitest';
import { natsConnectOptions } from '../../harness/security/nats-credential.js';
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
import type { SecurityCheckResult, SecurityTarget } from '../../conformance/security/index.js';

const rnd = (): string => Math.random().toString(36).slice(2, 8);
const running: SecureNats[] = [];
afterAll(async () => {
  await Promise.all(running.map((b) => b.stop()));
});

async function deploy(mode: SecureNatsMode, weaken?: SecureNatsWeakening): Promise<SecurityTarget> {
  const ta = `ta-${rnd()}`;
  const tb = `tb-${rnd()}`;
  const bus = await startSecureNats({ mode, tenants: [ta, tb], weaken });
  running.push(bus);
  const admin = await connect(natsConnectOptions(bus.url, bus.admin));
  await (
    await jetstreamManager(admin)
  ).streams.add({ name: 'CONTINUUM_EPISODES', subjects: ['continuum.episode.v1.*.*'] });
  await admin.close();
  return {
    url: bus.url,
    caFile: bus.caFile,
    tenantA: { tenantId: ta, credential: bus.tenants[ta]! },
    tenantB: { tenantId: tb, credential: bus.tenants[tb]! },
    observer: bus.projector,
    timeoutMs: 3_000,
  };
}

const verdicts = (rs: SecurityCheckResult[]): Record<string, boolean> =>
  Object.fromEntries(rs.map((r) => [`${r.clauseId} ${r.check}`, r.ok]));

describe.each(['mtls', 'jwt'] as const)('security conformance checks (%s)', (mode) => {
  it('all pass against the secure deployment', async () => {
    const results = await runSecurityChecks(await deploy(mode));
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(verdicts(results)).toEqual({
      'CT-7.transport-auth no-credentials-refused': true,
      'CT-6.fail-closed forged-credentials-refused': true,
      'CT-7.tenant-isolation cross-tenant-publish': true,
      'CT-7.tenant-isolation cross-tenant-read': true,
      'CT-6.fail-closed refused-publish-not-delivered': true,
    });
  });

  it('tenant-isolation and fail-closed checks fail when every user has open permissions', async () => {
    const results = await runSecurityChecks(await deploy(mode, 'open-permissions'));
    expect(verdicts(results)).toEqual({
      'CT-7.transport-auth no-credentials-refused': true, // still authenticated
      'CT-6.fail-closed forged-credentials-refused': true,
      'CT-7.tenant-isolation cross-tenant-publish': false,
      'CT-7.tenant-isolation cross-tenant-read': false,
      'CT-6.fail-closed refused-publish-not-delivered': false,
    });
    const publish = results.find((r) => r.check === 'cross-tenant-publish')!;
    expect(publish.detail).toMatch(/ACCEPTED/);
  });

  it('every check fails when the server accepts anyone', async () => {
    const results = await runSecurityChecks(await deploy(mode, 'no-auth'));
    expect(results.map((r) => r.ok)).toEqual([false, false, false, false, false]);
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
    const r = await checkRefusedNotDelivered({ ...target, observer: target.tenantA.credential });
    expect(r).toMatchObject({ ok: false, clauseId: 'CT-6.fail-closed' });
    expect(r!.detail).toMatch(/may not subscribe to continuum\.episode\.v1\./);
  });
});
