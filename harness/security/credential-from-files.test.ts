import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { credentialFromFiles } from './credential-from-files.js';
import { generatePki } from './openssl-pki.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('credentialFromFiles', () => {
  it('names a certificate credential by its subject as nats-server maps it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ck-cred-'));
    dirs.push(dir);
    const pki = await generatePki(dir, [{ name: 'a', cn: 'continuum-producer-a' }]);
    const { certFile, keyFile } = pki.clients.a!;
    const c = credentialFromFiles({ tls: { certFile, keyFile, caFile: pki.caFile } });
    expect(c.identity).toBe(pki.clients.a!.subject);
    expect(c.tls).toEqual({
      certFile: pki.clients.a!.certFile,
      keyFile: pki.clients.a!.keyFile,
      caFile: pki.caFile,
    });
  });

  it('prefers an explicit name, else the creds file name', () => {
    expect(credentialFromFiles({ credsFile: '/x/tenant-a.creds' })).toEqual({
      identity: 'creds tenant-a.creds',
      credsFile: '/x/tenant-a.creds',
    });
    expect(credentialFromFiles({ credsFile: '/x/a.creds', name: 'producer a' }).identity).toBe('producer a');
    expect(credentialFromFiles({}).identity).toBe('anonymous');
  });
});
