/**
 * A NatsCredential from credential files given on a command line (--nats-creds, --nats-tls-cert,
 * --nats-tls-key, --nats-tls-ca; the service layer's NatsConnectOptions has the same fields), so
 * the security checks can probe any deployment. The identity is for messages only.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { NatsCredential } from './nats-credential.js';

/** The file fields of a connect configuration; `name` (if set) becomes the identity. */
export interface CredentialFiles {
  credsFile?: string;
  tls?: { certFile?: string; keyFile?: string; caFile?: string };
  name?: string;
}

/** Identity: `name`, else the certificate subject (RFC 2253 order), else the creds file name. */
export function credentialFromFiles(files: CredentialFiles): NatsCredential {
  return {
    identity: files.name ?? identityOf(files),
    ...(files.tls ? { tls: { ...files.tls } } : {}),
    ...(files.credsFile ? { credsFile: files.credsFile } : {}),
  };
}

function identityOf(files: CredentialFiles): string {
  if (files.tls?.certFile) {
    try {
      const subject = new X509Certificate(readFileSync(files.tls.certFile)).subject;
      return subject.split('\n').reverse().join(',');
    } catch {
      return `certificate ${basename(files.tls.certFile)}`;
    }
  }
  if (files.credsFile) return `creds ${basename(files.credsFile)}`;
  return 'anonymous';
}
