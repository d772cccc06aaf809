/**
 * CT-6.fail-closed for permissions: a plain (fire-and-forget) publish by tenant A to tenant B's
 * subject is refused by the server, reaches no subscriber, and leaves A's connection working.
 * Needs an observer credential allowed to read both tenants' subjects (the projector's).
 *
 * No waiting on the clock: A publishes the refused probe, then a control probe on its own subject.
 * NATS keeps one publisher's order towards one subscriber connection, so once the observer has
 * the control, anything of the refused probe would already have arrived.
 */
import { randomUUID } from 'node:crypto';
import { episodeSubject } from 'continuum-contract';
import { toPermissionDenied } from '../../harness/security/permission-denied-error.js';
import { closeQuietly, describeError, probeBody, probeConnect, probeHeaders, probePublish } from './probe.js';
import { withDefaults } from './security-target.js';
import type { SecurityCheckResult, SecurityTarget } from './security-target.js';

/** Returns undefined when the target has no observer credential (the check cannot run). */
export async function checkRefusedNotDelivered(
  target: SecurityTarget,
): Promise<SecurityCheckResult | undefined> {
  const t = withDefaults(target);
  // A's refused publish could only reach subscribers that share A's subject space.
  const observer = t.tenantA.observer ?? t.observer;
  if (!observer) return undefined;
  const result = (ok: boolean, detail: string): SecurityCheckResult => ({
    clauseId: 'CT-6.fail-closed',
    check: 'refused-publish-not-delivered',
    ok,
    detail,
  });
  const a = t.tenantA.credential;
  const victim = episodeSubject(t.tenantB.tenantId, t.agentId);
  const own = episodeSubject(t.tenantA.tenantId, t.agentId);
  const nonce = randomUUID();
  const obs = await probeConnect(t.url, observer, t.timeoutMs);
  if (!obs.ok) return result(false, `observer (${observer.identity}) cannot connect: ${obs.error}`);
  const pub = await probeConnect(t.url, a, t.timeoutMs);
  if (!pub.ok) {
    await closeQuietly(obs.nc);
    return result(false, `tenant A (${a.identity}) cannot connect: ${pub.error}`);
  }
  try {
    const seen: string[] = [];
    let controlSeen!: () => void;
    const control = new Promise<void>((resolve) => (controlSeen = resolve));
    const subs = [victim, own].map((subject) =>
      obs.nc.subscribe(subject, {
        callback: (err, msg) => {
          // err: this subscription was refused (judged below); no nonce: real traffic on a live deployment.
          if (err || !msg.string().includes(nonce)) return;
          seen.push(msg.subject);
          if (msg.subject === own) controlSeen();
        },
      }),
    );
    await obs.nc.flush();
    // An observer refused on B's subject would see nothing and make the check pass for nothing.
    const refusedSub = subs.find((s) => s.isClosed());
    if (refusedSub) {
      return result(false, `observer (${observer.identity}) may not subscribe to ${refusedSub.getSubject()}`);
    }

    let refusal: string | undefined;
    const watcher = (async () => {
      for await (const s of pub.nc.status()) {
        const denied = s.type === 'error' ? toPermissionDenied(s.error, a.identity) : undefined;
        if (denied?.subject === victim) refusal = denied.message;
      }
    })();
    pub.nc.publish(victim, probeBody(nonce), { headers: probeHeaders() });
    pub.nc.publish(own, probeBody(nonce), { headers: probeHeaders() });
    await pub.nc.flush(); // the server answers in order: any -ERR for the probe precedes this PONG

    const timedOut = await Promise.race([
      control.then(() => false),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(true), t.timeoutMs).unref()),
    ]);
    const lines: string[] = [];
    let ok = true;
    if (timedOut) {
      ok = false;
      lines.push(
        `observer never received A's control message on ${own} within ${t.timeoutMs} ms; delivery cannot be judged (with an account per tenant, the observer must be in A's account: tenantA.observer, --tenant-a-observer-*)`,
      );
    }
    if (seen.includes(victim)) {
      ok = false;
      lines.push(`A's publish to ${victim} was DELIVERED to a subscriber`);
    } else if (!timedOut) lines.push(`A's publish to ${victim} reached no subscriber`);
    const after = await probePublish(pub.nc, own, a.identity, t.timeoutMs);
    if (after.kind === 'accepted' && !pub.nc.isClosed()) lines.push("A's connection still works afterwards");
    else {
      ok = false;
      lines.push(
        `A's connection is unusable after the refusal: ${after.kind === 'accepted' ? 'closed' : after.error}`,
      );
    }
    // Judged last: by now several round trips have passed since the -ERR was sent.
    if (refusal) lines.push(`server refused it: ${refusal}`);
    else {
      ok = false;
      lines.push(`the server sent A no permissions violation for ${victim}`);
    }
    await closeQuietly(pub.nc);
    await watcher.catch(() => undefined);
    return result(ok, lines.join('; '));
  } catch (err) {
    return result(false, `probe failed: ${describeError(err)}`);
  } finally {
    await closeQuietly(pub.nc);
    await closeQuietly(obs.nc);
  }
}
