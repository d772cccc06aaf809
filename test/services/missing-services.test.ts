import { mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findBinary } from '../../harness/services/find-binary.js';
import { startServices, ServiceError } from '../../harness/services/index.js';

// No URL, nothing on PATH, no PostgreSQL install dirs, and a Docker socket that does not exist.
const NOTHING = { env: { PATH: '', DOCKER_HOST: 'unix:///nonexistent/docker.sock' }, postgresRoots: [] };

describe('when nothing can provide the services', () => {
  it('throws one SERVICES_UNAVAILABLE error naming each service and every way to provide it', async () => {
    const failure = await startServices(NOTHING).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ServiceError);
    expect((failure as ServiceError).code).toBe('SERVICES_UNAVAILABLE');
    const message = (failure as Error).message;
    expect(message).toMatch(/^Cannot find or start 3 services:/);
    for (const expected of [
      'NATS: no --nats flag; NATS_URL unset; no server binary on PATH; no Docker engine answered at unix:///nonexistent/docker.sock',
      'pass --nats nats://127.0.0.1:4222, or set NATS_URL, or put nats-server on PATH',
      'start Docker (image nats:2.10)',
      'PostgreSQL: no --pg flag; DATABASE_URL unset; no initdb/postgres found',
      'set DATABASE_URL',
      '/usr/lib/postgresql/<version>/bin',
      'start Docker (image postgres:16)',
      'Valkey: no --valkey flag; VALKEY_URL unset',
      'valkey-server or redis-server on PATH',
      'start Docker (image valkey/valkey:8)',
    ]) {
      expect(message).toContain(expected);
    }
  });

  it('names only what is missing, and stops what it had started', async () => {
    const bin = await mkdtemp(path.join(os.tmpdir(), 'ck-bin-'));
    const tmpRoot = await mkdtemp(path.join(os.tmpdir(), 'ck-root-'));
    try {
      await symlink(
        findBinary('nats-server', process.env) ?? 'nats-server-not-installed',
        path.join(bin, 'nats-server'),
      );
      const failure = await startServices({ ...NOTHING, env: { ...NOTHING.env, PATH: bin }, tmpRoot }).catch(
        (error: unknown) => error,
      );
      expect((failure as ServiceError).code).toBe('SERVICES_UNAVAILABLE');
      expect((failure as Error).message).toMatch(/^Cannot find or start 2 services:/);
      expect((failure as Error).message).not.toContain('NATS:');
      expect(await readdir(tmpRoot)).toEqual([]);
    } finally {
      await rm(bin, { recursive: true, force: true });
      await rm(tmpRoot, { recursive: true, force: true });
    }
  });
});
