/**
 * CT-6.fail-closed for authentication: a credential that looks like tenant A's but was not issued by
 * the deployment (a self-signed certificate with A's subject, a creds file from an unknown account)
 * is refused, not downgraded to an anonymous or default user.
 */
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateUntrustedCreds } from '../../harness/security/jwt-auth.js';
import { generateUntrustedClientCert } from '../../harness/security/openssl-pki.js';
import type { NatsCredential } from '../../harness/security/nats-credential.js';
import { closeQuietly, probeConnect } from './probe.js';
import { withDefaults } from './security-target.js';
import type { SecurityCheckResult, SecurityTarget } from './security-target.js';

/** Forges tenant A's credential kinds and expects every forgery to be refused at connect. */
export async function checkForgedCredentials(target: SecurityTarget): Promise<SecurityCheckResult> {
  const t = withDefaults(target);
  const result = (ok: boolean, detail: string): SecurityCheckResult => ({
    clauseId: 'CT-6.fail-closed',
    check: 'forged-credentials-refused',
    ok,
    detail,
  });
  const real = t.tenantA.credential;
  const dir = await mkdtemp(join(tmpdir(), 'ck-forged-'));
  try {
    const forged = await forge(dir, real, t.caFile);
    if (forged.length === 0) {
      return result(
        false,
        `tenant A's credential has neither a client certificate nor a creds file: nothing authenticates it`,
      );
    }
    const control = await probeConnect(t.url, real, t.timeoutMs);
    if (!control.ok)
      return result(
        false,
        `tenant A's real credential cannot connect (${control.error}); nothing to compare with`,
      );
    await closeQuietly(control.nc);
    const lines: string[] = [];
    let ok = true;
    for (const f of forged) {
      const out = await probeConnect(t.url, f, t.timeoutMs);
      if (out.ok) {
        ok = false;
        lines.push(`${f.identity}: CONNECTED (must be refused)`);
        await closeQuietly(out.nc);
      } else lines.push(`${f.identity}: refused (${out.error})`);
    }
    return result(ok, lines.join('; '));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function forge(
  dir: string,
  real: NatsCredential,
  caFile: string | undefined,
): Promise<NatsCredential[]> {
  const out: NatsCredential[] = [];
  const tls = caFile ? { caFile } : undefined;
  if (real.tls?.certFile) {
    const subject = new X509Certificate(await readFile(real.tls.certFile)).subject;
    const cn = /^CN=(.*)$/m.exec(subject)?.[1] ?? 'continuum-producer';
    const f = await generateUntrustedClientCert(dir, cn);
    out.push({ identity: `self-signed certificate CN=${cn}`, tls: { ...tls, ...f } });
  }
  if (real.credsFile) {
    const credsFile = await generateUntrustedCreds(dir, 'forged');
    out.push({ identity: 'creds from an unknown account', ...(tls ? { tls } : {}), credsFile });
  }
  return out;
}
