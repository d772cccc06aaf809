/**
 * `continuum-kit conformance security` against the secure deployment the kit starts by default
 * (startServices({ secure }), provisioned with provision(services)): an account per tenant, so the
 * msg-id squatting probe passes; the weakened one-account layout, asked for explicitly, fails it.
 */
import { mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { provision } from '../../harness/provision.js';
import type { NatsCredential } from '../../harness/security/nats-credential.js';
import { startServices, type Services } from '../../harness/services/index.js';
import { runCli } from '../run-cli.js';
import { credentialFlags } from './credential-flags.js';

const PG = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const VALKEY = process.env.VALKEY_URL ?? 'redis://127.0.0.1:6379';
const rnd = (): string => Math.random().toString(36).slice(2, 8);
const running: Services[] = [];
afterAll(async () => {
  for (const s of running) await s.stop().catch(() => undefined);
});

/** Starts and provisions the kit's secure deployment, then runs `conformance security` against it. */
async function securityOfDeployment(accounts?: 'shared'): Promise<{
  code: number | null;
  stdout: string;
  stderr: string;
  results: { check: string; ok: boolean }[];
}> {
  const [ta, tb] = [`ta-${rnd()}`, `tb-${rnd()}`];
  const services = await startServices({
    secure: { mode: 'mtls', tenants: [ta, tb], ...(accounts ? { accounts } : {}) },
    pg: PG,
    valkey: VALKEY,
    sources: ['flag', 'binary'],
    freshDatabase: true,
  });
  running.push(services);
  await provision(services);
  const secure = services.secure!;
  const observerOf = (t: string): NatsCredential => secure.tenantAccounts?.[t]?.projector ?? secure.projector;
  const out = mkdtempSync(path.join(os.tmpdir(), 'ck-sec-default-'));
  const args = ['conformance', 'security', '--nats', services.natsUrl];
  args.push('--tenant-a', ta, '--tenant-b', tb, '--nats-tls-ca', secure.caFile, '--out', out);
  args.push(...credentialFlags(secure.tenants[ta]!, '--nats-creds', '--nats-tls-cert', '--nats-tls-key'));
  args.push(
    ...credentialFlags(secure.tenants[tb]!, '--tenant-b-creds', '--tenant-b-tls-cert', '--tenant-b-tls-key'),
  );
  args.push(
    ...credentialFlags(observerOf(tb), '--observer-creds', '--observer-tls-cert', '--observer-tls-key'),
  );
  if (secure.tenantAccounts)
    args.push(
      ...credentialFlags(
        observerOf(ta),
        '--tenant-a-observer-creds',
        '--tenant-a-observer-tls-cert',
        '--tenant-a-observer-tls-key',
      ),
    );
  const { code, stdout, stderr } = await runCli(args, { timeoutMs: 60_000 });
  const report = JSON.parse(await readFile(path.join(out, 'security.json'), 'utf8')) as {
    results: { check: string; ok: boolean }[];
  };
  return { code, stdout, stderr, results: report.results };
}

describe('conformance security against the secure deployment the kit starts', () => {
  it('passes the msg-id squatting probe by default (an account per tenant)', async () => {
    const r = await securityOfDeployment();
    expect(r.stdout).toMatch(/passed\s+CT-7\.tenant-isolation\s+msg-id-squatting/);
    expect(r.results.filter((x) => !x.ok)).toEqual([]);
    expect(r.code).toBe(0);
  }, 90_000);

  it("fails it with accounts: 'shared', the weakened layout", async () => {
    const r = await securityOfDeployment('shared');
    expect(r.code).toBe(1);
    expect(r.results.filter((x) => !x.ok).map((x) => x.check)).toEqual(['msg-id-squatting']);
  }, 90_000);
});
