/**
 * Test PKI made at run time with the `openssl` CLI: a CA, a server certificate for 127.0.0.1 and
 * localhost, and client certificates. Node's crypto can make keys but not certificates; openssl is
 * on every Debian/Ubuntu machine and CI image we run on, so it needs no extra npm dependency tree
 * (an X.509 library such as @peculiar/x509 pulls in several). Keys are written 0600 in a directory
 * the caller owns (normally a fresh 0700 temp dir removed on stop); nothing here is ever committed.
 */
import { execFile } from 'node:child_process';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SECURITY_ERROR_CODES } from './security-error-codes.js';
import { SecuritySetupError } from './security-setup-error.js';

const run = promisify(execFile);

/** PEM files of one certificate. */
export interface CertFiles {
  certFile: string;
  keyFile: string;
}

/** What {@link generatePki} wrote. */
export interface Pki {
  caFile: string;
  server: CertFiles;
  /** Client certificates by the `name` asked for. */
  clients: Record<string, CertFiles & { subject: string }>;
}

/** A client certificate to make: `cn` becomes the subject's CN, under O=continuum-kit. */
export interface ClientCertRequest {
  name: string;
  cn: string;
}

// A minimal config so the system openssl.cnf cannot add defaults (v3_ca would mark leaves as CAs).
const OPENSSL_CNF = '[req]\ndistinguished_name = dn\nprompt = no\n[dn]\nCN = unused\n';
const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/**
 * The subject as nats-server `verify_and_map` sees it (RFC 2253, most specific first): the string
 * to use as the user name in the server's `authorization.users`.
 */
export function mappedSubject(cn: string): string {
  return `CN=${cn},O=continuum-kit`;
}

/** Writes a CA, a 127.0.0.1/localhost server certificate and the requested client certificates. */
export async function generatePki(
  dir: string,
  clients: ClientCertRequest[],
  openssl = 'openssl',
): Promise<Pki> {
  const cnf = join(dir, 'openssl.cnf');
  await writeFile(cnf, OPENSSL_CNF, { mode: 0o600 });
  const ca = { certFile: join(dir, 'ca.pem'), keyFile: join(dir, 'ca-key.pem') };
  await opensslReq(openssl, cnf, ca, '/O=continuum-kit/CN=continuum-kit test CA', [
    'basicConstraints=critical,CA:TRUE',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  const server = files(dir, 'server');
  await opensslReq(
    openssl,
    cnf,
    server,
    '/O=continuum-kit/CN=localhost',
    [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature',
      'extendedKeyUsage=serverAuth',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ],
    ca,
  );
  const out: Pki['clients'] = {};
  for (const c of clients) {
    const f = files(dir, `client-${c.name}`);
    await opensslReq(
      openssl,
      cnf,
      f,
      `/O=continuum-kit/CN=${c.cn}`,
      [
        'basicConstraints=critical,CA:FALSE',
        'keyUsage=critical,digitalSignature',
        'extendedKeyUsage=clientAuth',
      ],
      ca,
    );
    out[c.name] = { ...f, subject: mappedSubject(c.cn) };
  }
  return { caFile: ca.certFile, server, clients: out };
}

/**
 * A self-signed client certificate from no trusted CA, with the same subject as a real one: a
 * forged credential that a closed deployment must refuse (CT-6.fail-closed).
 */
export async function generateUntrustedClientCert(
  dir: string,
  cn: string,
  openssl = 'openssl',
): Promise<CertFiles> {
  const cnf = join(dir, 'openssl.cnf');
  await writeFile(cnf, OPENSSL_CNF, { mode: 0o600 });
  const f = files(dir, `untrusted-${cn}`);
  await opensslReq(openssl, cnf, f, `/O=continuum-kit/CN=${cn.replace(/[/\\]/g, (c) => `\\${c}`)}`, [
    'basicConstraints=critical,CA:FALSE',
    'extendedKeyUsage=clientAuth',
  ]);
  return f;
}

function files(dir: string, name: string): CertFiles {
  return { certFile: join(dir, `${name}.pem`), keyFile: join(dir, `${name}-key.pem`) };
}

/** One `openssl req -x509`: new EC key, certificate self-signed or signed by `ca`, valid 2 days. */
async function opensslReq(
  openssl: string,
  cnf: string,
  out: CertFiles,
  subject: string,
  extensions: string[],
  ca?: CertFiles,
): Promise<void> {
  const args = ['req', '-x509', '-config', cnf, ...EC, '-keyout', out.keyFile, '-out', out.certFile];
  args.push('-subj', subject, '-days', '2', '-set_serial', `0x${randomSerial()}`);
  if (ca) args.push('-CA', ca.certFile, '-CAkey', ca.keyFile);
  for (const e of extensions) args.push('-addext', e);
  try {
    await run(openssl, args, { timeout: 20_000 });
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new SecuritySetupError(
        SECURITY_ERROR_CODES.toolMissing,
        `${openssl} not found on PATH: install it (Debian: apt-get install openssl) to generate test certificates`,
        { cause },
      );
    }
    throw new SecuritySetupError(
      SECURITY_ERROR_CODES.setupFailed,
      `openssl could not make the certificate ${subject} (${out.certFile})`,
      { cause },
    );
  }
  await chmod(out.keyFile, 0o600);
}

function randomSerial(): string {
  return [...crypto.getRandomValues(new Uint8Array(16))]
    .map((b) => b.toString(16).padStart(2, '0'))
    .join('')
    .replace(/^[89a-f]/, '1');
}
