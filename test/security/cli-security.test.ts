/**
 * `continuum-kit conformance security` against real nats-server deployments: secure mTLS and
 * JWT-over-TLS ones pass, deliberately weakened ones fail naming the check that caught them.
 */
import { mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, describe, expect, it } from 'vitest';
import { natsConnectOptions } from '../../harness/security/nats-credential.js';
import {
  startSecureNats,
  type SecureNats,
  type SecureNatsMode,
  type SecureNatsWeakening,
} from '../../harness/security/start-secure-nats.js';
import { silentLogger } from '../../harness/logger.js';
import { ensureStreams } from '../../harness/services/ensure-streams.js';
import { CONTRACT } from 'continuum-contract';
import { runCli } from '../run-cli.js';
import { credentialFlags } from './credential-flags.js';

const rnd = (): string => Math.random().toString(36).slice(2, 8);
const running: SecureNats[] = [];
afterAll(async () => {
  await Promise.all(running.map((b) => b.stop()));
});

interface Deployment {
  mode?: SecureNatsMode;
  weaken?: SecureNatsWeakening;
  /** 'shared': one account and stream, one duplicate window for every tenant (what the squat probe catches). */
  accounts?: 'account-per-tenant' | 'shared';
  /** Leave out the observer credential (a usage error). */
  noObserver?: boolean;
}

/** The CLI's flags for one credential: a .creds file, or a client certificate and key. */
async function cli(
  d: Deployment = {},
): Promise<{ code: number | null; stdout: string; stderr: string; report: unknown }> {
  const [ta, tb] = [`ta-${rnd()}`, `tb-${rnd()}`];
  const bus = await startSecureNats({
    mode: d.mode ?? 'mtls',
    tenants: [ta, tb],
    accounts: d.accounts ?? 'account-per-tenant',
    ...(d.weaken ? { weaken: d.weaken } : {}),
  });
  running.push(bus);
  const accounts = bus.tenantAccounts;
  for (const cred of accounts ? [accounts[ta]!.admin, accounts[tb]!.admin] : [bus.admin]) {
    const admin = await connect(natsConnectOptions(bus.url, cred));
    const jsm = await jetstreamManager(admin);
    await ensureStreams(jsm, Object.values(CONTRACT.streams), { logger: silentLogger });
    await admin.close();
  }
  const out = mkdtempSync(path.join(os.tmpdir(), 'ck-sec-'));
  const args = ['conformance', 'security', '--nats', bus.url, '--tenant-a', ta, '--tenant-b', tb];
  args.push(...credentialFlags(bus.tenants[ta]!, '--nats-creds', '--nats-tls-cert', '--nats-tls-key'));
  args.push(
    ...credentialFlags(bus.tenants[tb]!, '--tenant-b-creds', '--tenant-b-tls-cert', '--tenant-b-tls-key'),
  );
  // With an account per tenant, the observers are the projectors of B's and of A's account.
  const observer = accounts ? accounts[tb]!.projector : bus.projector;
  if (!d.noObserver)
    args.push(...credentialFlags(observer, '--observer-creds', '--observer-tls-cert', '--observer-tls-key'));
  if (accounts) {
    const flags = [
      '--tenant-a-observer-creds',
      '--tenant-a-observer-tls-cert',
      '--tenant-a-observer-tls-key',
    ] as const;
    args.push(...credentialFlags(accounts[ta]!.projector, ...flags));
  }
  // JWT mode is JWT over TLS: the .creds files need the server's CA as well.
  args.push('--nats-tls-ca', bus.caFile, '--out', out);
  // The old design's clients all used the default root; probe it the way it was deployed.
  if (d.weaken === 'shared-inboxes') args.push('--default-inboxes');
  const { code, stdout, stderr } = await runCli(args, { timeoutMs: 60_000 });
  const report: unknown =
    code === 2 ? undefined : JSON.parse(await readFile(path.join(out, 'security.json'), 'utf8'));
  return { code, stdout, stderr, report };
}

const failedChecks = (report: unknown): string[] =>
  (report as { results: { check: string; ok: boolean }[] }).results.filter((x) => !x.ok).map((x) => x.check);

describe('continuum-kit conformance security', () => {
  it('passes an mTLS deployment with per-tenant permissions, inboxes and accounts', async () => {
    const r = await cli();
    expect(r.stdout).not.toMatch(/FAILED/);
    expect(r.stdout).toMatch(/passed\s+CT-7\.tenant-isolation\s+inbox-and-wildcard-read/);
    expect(r.stdout).toMatch(/passed\s+CT-7\.tenant-isolation\s+msg-id-squatting/);
    expect(r.code).toBe(0);
  }, 90_000);

  it('passes a JWT-over-TLS deployment given .creds files and --nats-tls-ca', async () => {
    const r = await cli({ mode: 'jwt' });
    expect(r.stdout).not.toMatch(/FAILED/);
    expect(r.stderr).toMatch(/^SECURE: 7 passed, 0 failed/m);
    expect(r.code).toBe(0);
  }, 90_000);

  it('fails an open-permissions deployment with CT-7.tenant-isolation', async () => {
    const r = await cli({ weaken: 'open-permissions', accounts: 'shared' });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAILED\s+CT-7\.tenant-isolation/);
    const results = (r.report as { results: { clauseId: string; ok: boolean }[] }).results;
    expect(results.filter((x) => !x.ok).map((x) => x.clauseId)).toContain('CT-7.tenant-isolation');
  }, 90_000);

  it('fails shared inboxes with the inbox probe and a shared account with the squatting probe (JWT)', async () => {
    const inboxes = await cli({ mode: 'jwt', weaken: 'shared-inboxes', accounts: 'shared' });
    expect(inboxes.code).toBe(1);
    expect(failedChecks(inboxes.report)).toEqual(['inbox-and-wildcard-read', 'msg-id-squatting']);
    const shared = await cli({ mode: 'jwt', accounts: 'shared' });
    expect(shared.code).toBe(1);
    expect(failedChecks(shared.report)).toEqual(['msg-id-squatting']);
  }, 120_000);

  it('is a usage error without the observer credential the traffic probes need', async () => {
    const r = await cli({ noObserver: true });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--observer-creds or --observer-tls-\*/);
  }, 90_000);
});
