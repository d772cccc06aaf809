/**
 * CT-7.transport-auth: a client with no credential cannot connect, while tenant A's credential can
 * (the positive control: a server that is down or unreachable must not pass this check).
 */
import { closeQuietly, probeConnect } from './probe.js';
import { withDefaults } from './security-target.js';
import type { SecurityCheckResult, SecurityTarget } from './security-target.js';

/** Connects without any credential (trusting the server's CA) and with tenant A's. */
export async function checkTransportAuth(target: SecurityTarget): Promise<SecurityCheckResult> {
  const t = withDefaults(target);
  const result = (ok: boolean, detail: string): SecurityCheckResult => ({
    clauseId: 'CT-7.transport-auth',
    check: 'no-credentials-refused',
    ok,
    detail,
  });
  const anonymous = await probeConnect(
    t.url,
    { identity: 'anonymous (no credential)', ...(t.caFile ? { tls: { caFile: t.caFile } } : {}) },
    t.timeoutMs,
  );
  if (anonymous.ok) {
    await closeQuietly(anonymous.nc);
    return result(
      false,
      `a client with no credential connected to ${t.url}; the bus must require mTLS or a JWT`,
    );
  }
  const control = await probeConnect(t.url, t.tenantA.credential, t.timeoutMs);
  if (!control.ok) {
    return result(
      false,
      `tenant A's credential (${t.tenantA.credential.identity}) cannot connect either (${control.error}), ` +
        'so the refusal of a client without credentials proves nothing',
    );
  }
  await closeQuietly(control.nc);
  return result(true, `no credential: refused (${anonymous.error}); tenant A's credential: connected`);
}
