import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectNats, startServices } from '../../harness/services/index.js';

const run = promisify(execFile);

// A CA, a server cert for 127.0.0.1 and a client cert, made at test time (never committed).
async function makeCerts(dir: string): Promise<void> {
  const openssl = (...args: string[]) => run('openssl', args, { cwd: dir });
  await openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '1',
    '-subj',
    '/CN=ck-test-ca',
  );
  for (const name of ['server', 'client']) {
    await openssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
      '-subj',
      `/CN=${name}`,
    );
    await writeFile(
      path.join(dir, `${name}.ext`),
      name === 'server' ? 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' : 'extendedKeyUsage=clientAuth\n',
    );
    await openssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.pem`,
      '-days',
      '1',
      '-extfile',
      `${name}.ext`,
    );
  }
  await writeFile(
    path.join(dir, 'tls.conf'),
    `tls { cert_file: "${dir}/server.pem", key_file: "${dir}/server.key", ca_file: "${dir}/ca.pem", verify: true }\n`,
  );
}

describe('nats-server started with mTLS through natsArgs and natsConnect', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'ck-tls-test-'));
    await makeCerts(dir);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is ready with the client certificate, and refuses a client without one', async () => {
    const tls = {
      certFile: path.join(dir, 'client.pem'),
      keyFile: path.join(dir, 'client.key'),
      caFile: path.join(dir, 'ca.pem'),
    };
    await using services = await startServices({
      env: {
        PATH: process.env.PATH,
        DATABASE_URL: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
        VALKEY_URL: process.env.VALKEY_URL ?? 'redis://127.0.0.1:6379',
      },
      natsArgs: ['-c', path.join(dir, 'tls.conf')],
      natsConnect: { tls },
    });
    expect(services.origin.nats).toBe('binary');
    const nc = await connectNats(services.natsUrl, services.natsConnect);
    await nc.flush();
    expect(nc.info?.tls_required).toBe(true);
    await nc.close();
    const anonymous = connectNats(services.natsUrl, {
      tls: { caFile: tls.caFile },
      connection: { reconnect: false },
    });
    await expect(anonymous.then((c) => c.flush())).rejects.toThrow();
  });
});
