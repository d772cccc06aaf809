import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServices, type Services } from '../../harness/services/index.js';

const CLI = fileURLToPath(new URL('../../cli/main.ts', import.meta.url));
const run = promisify(execFile);
const SHARED_PG = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function cli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const clean = {
    ...process.env,
    NATS_URL: undefined,
    DATABASE_URL: undefined,
    VALKEY_URL: undefined,
    ...env,
  };
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', CLI, 'provision', ...args], {
      env: clean,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('continuum-kit provision', () => {
  let services: Services;

  // Our own nats-server (streams are per server), a fresh database on the shared PostgreSQL.
  beforeAll(async () => {
    services = await startServices({
      env: { PATH: process.env.PATH, DATABASE_URL: SHARED_PG },
      freshDatabase: true,
    });
  });
  afterAll(async () => {
    await services.stop();
  });

  it('creates streams and tables, then finds them on a second run', async () => {
    const flags = ['--nats', services.natsUrl, '--pg', services.pgUrl, '--valkey', services.valkeyUrl];
    const first = await cli([...flags, '--json']);
    expect(first.code).toBe(0);
    const report = JSON.parse(first.stdout) as {
      streams: { action: string }[];
      tables: { action: string }[];
    };
    expect(report.streams.map((s) => s.action)).toEqual(['created', 'created']);
    expect(report.tables.map((t) => t.action)).toEqual(['created', 'created', 'created', 'created']);
    const second = await cli([], { NATS_URL: services.natsUrl, DATABASE_URL: services.pgUrl });
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('stream CONTINUUM_EPISODES: unchanged');
    expect(second.stdout).toContain('table arqonbus_continuum_audit: found');
    expect(second.stdout).toContain('valkey: not given');
  });

  it('exits 2 with the service and URL when a service cannot be reached', async () => {
    const result = await cli([
      '--nats',
      'nats://127.0.0.1:1',
      '--pg',
      services.pgUrl,
      '--connect-timeout',
      '300',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('NATS at nats://127.0.0.1:1 did not answer within 300 ms');
    expect(result.stderr).toContain('[SERVICE_UNREACHABLE]');
    expect(result.stdout).toBe('');
  });

  it('exits 2 naming the flags and variables when no URL is given', async () => {
    const result = await cli([]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'NATS (--nats URL or NATS_URL) and PostgreSQL (--pg URL or DATABASE_URL)',
    );
  });

  it('exits 2 on a bad option value', async () => {
    const result = await cli(['--nats', services.natsUrl, '--pg', services.pgUrl, '--replicas', 'three']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--replicas must be an integer from 1 to 5, got 'three'");
  });
});
