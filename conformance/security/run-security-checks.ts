/**
 * All transport-security checks against one deployment, in a fixed order. Never throws: an
 * unexpected failure of a check becomes that check's `{ ok: false }` result.
 */
import { checkCrossTenantPublish } from './check-cross-tenant-publish.js';
import { checkCrossTenantRead } from './check-cross-tenant-read.js';
import { checkForgedCredentials } from './check-forged-credentials.js';
import { checkInboxRead } from './check-inbox-read.js';
import { checkMsgIdSquatting } from './check-msg-id-squatting.js';
import { checkRefusedNotDelivered } from './check-refused-not-delivered.js';
import { checkTransportAuth } from './check-transport-auth.js';
import { describeError } from './probe.js';
import type { SecurityCheckResult, SecurityClauseId, SecurityTarget } from './security-target.js';

type Check = [SecurityClauseId, string, (t: SecurityTarget) => Promise<SecurityCheckResult | undefined>];

const CHECKS: Check[] = [
  ['CT-7.transport-auth', 'no-credentials-refused', checkTransportAuth],
  ['CT-6.fail-closed', 'forged-credentials-refused', checkForgedCredentials],
  ['CT-7.tenant-isolation', 'cross-tenant-publish', checkCrossTenantPublish],
  ['CT-7.tenant-isolation', 'cross-tenant-read', checkCrossTenantRead],
  ['CT-6.fail-closed', 'refused-publish-not-delivered', checkRefusedNotDelivered],
];

/** Checks that store probe messages in tenant B's stream (and delete them afterwards). */
const STORING_CHECKS: Check[] = [
  ['CT-7.tenant-isolation', 'inbox-and-wildcard-read', checkInboxRead],
  ['CT-7.tenant-isolation', 'msg-id-squatting', checkMsgIdSquatting],
];

/** Options of {@link runSecurityChecks}. */
export interface RunSecurityOptions {
  /**
   * Also run the checks that store probe messages (default true). They need tenant B's credential
   * and the observer, and fail without them. A projector running meanwhile may dead-letter the
   * probe messages before they are deleted.
   */
  storedProbes?: boolean;
}

/**
 * Runs every check. 'refused-publish-not-delivered' is left out of the results when the target has
 * no observer credential.
 */
export async function runSecurityChecks(
  target: SecurityTarget,
  options: RunSecurityOptions = {},
): Promise<SecurityCheckResult[]> {
  const out: SecurityCheckResult[] = [];
  const checks = options.storedProbes === false ? CHECKS : [...CHECKS, ...STORING_CHECKS];
  for (const [clauseId, check, run] of checks) {
    // A server that stops answering mid-probe (a flush never returns) must not hang the run.
    const deadlineMs = 8 * (target.timeoutMs ?? 5_000);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<SecurityCheckResult>((resolve) => {
      timer = setTimeout(
        () => resolve({ clauseId, check, ok: false, detail: `no verdict within ${deadlineMs} ms` }),
        deadlineMs,
      );
    });
    try {
      const r = await Promise.race([run(target), deadline]);
      if (r) out.push(r);
    } catch (err) {
      out.push({ clauseId, check, ok: false, detail: `check crashed: ${describeError(err)}` });
    } finally {
      clearTimeout(timer);
    }
  }
  return out;
}
