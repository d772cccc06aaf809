/**
 * Wraps one publish so that a permission refusal becomes data plus an audit entry, never a crash
 * and never a retry loop: fail closed, record, continue (CT-6.fail-closed). Any other error
 * (timeout, no responders, disconnect) is rethrown for the caller's retry policy.
 */
import { toPermissionDenied } from './permission-denied-error.js';
import type { PermissionDeniedError } from './permission-denied-error.js';
import { refusedPublishAudit } from './refused-publish-audit.js';
import type { AuditEntry, AuditSink } from './refused-publish-audit.js';

/** Outcome of {@link publishOrRefuse}. */
export type PublishOrRefused<T> =
  { ok: true; value: T } | { ok: false; error: PermissionDeniedError; audit: AuditEntry };

/** Context for messages and the audit entry. */
export interface PublishContext {
  /** The credential's identity (certificate subject, JWT user). */
  identity: string;
  /** Extra audit params, e.g. `{ event_id }`. */
  params?: Record<string, unknown>;
}

/**
 * Runs `publish`; if the server refused it for lack of permission, writes an audit entry to `sink`
 * and resolves `{ ok: false }`. Errors of `sink` itself propagate.
 */
export async function publishOrRefuse<T>(
  publish: () => Promise<T>,
  ctx: PublishContext,
  sink: AuditSink,
): Promise<PublishOrRefused<T>> {
  try {
    return { ok: true, value: await publish() };
  } catch (err) {
    const denied = toPermissionDenied(err, ctx.identity);
    if (!denied) throw err;
    const audit = refusedPublishAudit(denied, ctx.params);
    await sink(audit);
    return { ok: false, error: denied, audit };
  }
}
