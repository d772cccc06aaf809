import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnNatsServer } from './nats-server-process.js';
import { generatePki } from './openssl-pki.js';

const dirs: string[] = [];
const tempDir = async (): Promise<string> => {
  const d = await mkdtemp(join(tmpdir(), 'ck-pki-test-'));
  dirs.push(d);
  return d;
};
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('generatePki', () => {
  it('signs a 127.0.0.1/localhost server certificate and client certificates with one CA; keys are 0600', async () => {
    const dir = await tempDir();
    const pki = await generatePki(dir, [{ name: 't1', cn: 'continuum-producer-t1' }]);
    const ca = new X509Certificate(await readFile(pki.caFile));
    const server = new X509Certificate(await readFile(pki.server.certFile));
    const client = new X509Certificate(await readFile(pki.clients.t1!.certFile));
    expect(ca.ca).toBe(true);
    expect(server.ca).toBe(false);
    expect(server.checkIssued(ca) && server.verify(ca.publicKey)).toBe(true);
    expect(client.checkIssued(ca) && client.verify(ca.publicKey)).toBe(true);
    expect(server.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(server.checkHost('localhost')).toBe('localhost');
    expect(client.subject).toBe('O=continuum-kit\nCN=continuum-producer-t1');
    expect(pki.clients.t1!.subject).toBe('CN=continuum-producer-t1,O=continuum-kit');
    for (const key of [pki.server.keyFile, pki.clients.t1!.keyFile]) {
      expect((await stat(key)).mode & 0o777).toBe(0o600);
    }
  });

  it('names a missing openssl with a typed error', async () => {
    await expect(generatePki(await tempDir(), [], 'openssl-not-installed')).rejects.toMatchObject({
      name: 'SecuritySetupError',
      code: 'TOOL_MISSING',
    });
  });

  it('names a missing nats-server with a typed error', async () => {
    await expect(
      spawnNatsServer('/nonexistent.conf', { binary: 'nats-server-not-installed' }),
    ).rejects.toMatchObject({
      code: 'TOOL_MISSING',
    });
  });
});
