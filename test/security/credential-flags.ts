import type { NatsCredential } from '../../harness/security/nats-credential.js';

/** The CLI flags that hand `cred` over: its .creds file (JWT mode) or its TLS certificate and key. */
export function credentialFlags(cred: NatsCredential, creds: string, cert: string, key: string): string[] {
  if (cred.credsFile !== undefined) return [creds, cred.credsFile];
  return [cert, cred.tls?.certFile ?? '', key, cred.tls?.keyFile ?? ''];
}
