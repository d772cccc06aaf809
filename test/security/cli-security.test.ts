/**
 * `continuum-kit conformance security` against real nats-server deployments: a secure mTLS one
 * passes, a deliberately open one fails naming the isolation clause.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, describe, expect, it } from 'vitest';
import { natsConnectOptions } from '../../harness/security/nats-credential.js';
import { startSecureNats, type SecureNats } from '../../harness/security/start-secure-nats.js';

const run = promisify(execFile);
const rnd = (): string => Math.random().toString(36).slice(2, 8);
const running: SecureNats[] = [];
afterAll(async () => {
  await Promise.all(running.map((b) => b.stop()));
});

async function cli(weaken?: 'open-permissions'): Promise<{ code: number; stdout: string; report: unknown }> {
  const [ta, tb] = [`ta-${rnd()}`, `tb-${rnd()}`];
  const bus = await startSecureNats({ mode: 'mtls', tenants: [ta, tb], ...(weaken ? { weaken } : {}) });
  running.push(bus);
  const admin = await connect(natsConnectOptions(bus.url, bus.admin));
  await (
    await jetstreamManager(admin)
  ).streams.add({ name: 'CONTINUUM_EPISODES', subjects: ['continuum.episode.v1.*.*'] });
  await admin.close();
  const a = bus.tenants[ta]?.tls;
  const out = mkdtempSync(path.join(os.tmpdir(), 'ck-sec-'));
  const args = [
    'tsx',
    'cli/main.ts',
    'conformance',
    'security',
    '--nats',
    bus.url,
    '--tenant-a',
    ta,
    '--tenant-b',
    tb,
  ];
  args.push(
    '--nats-tls-cert',
    a?.certFile ?? '',
    '--nats-tls-key',
    a?.keyFile ?? '',
    '--nats-tls-ca',
    a?.caFile ?? bus.caFile,
  );
  args.push('--out', out);
  let code = 0;
  let stdout = '';
  try {
    stdout = (await run('npx', args, { timeout: 60_000 })).stdout;
  } catch (error) {
    const e = error as { code?: number; stdout?: string };
    code = e.code ?? -1;
    stdout = e.stdout ?? '';
  }
  return { code, stdout, report: JSON.parse(await readFile(path.join(out, 'security.json'), 'utf8')) };
}

describe('continuum-kit conformance security', () => {
  it('passes a deployment with per-tenant mTLS permissions', async () => {
    const r = await cli();
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/passed\s+CT-7\.tenant-isolation/);
    expect(r.stdout).not.toMatch(/FAILED/);
  }, 90_000);

  it('fails an open-permissions deployment with CT-7.tenant-isolation', async () => {
    const r = await cli('open-permissions');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAILED\s+CT-7\.tenant-isolation/);
    const results = (r.report as { results: { clauseId: string; ok: boolean }[] }).results;
    expect(results.filter((x) => !x.ok).map((x) => x.clauseId)).toContain('CT-7.tenant-isolation');
  }, 90_000);
});
