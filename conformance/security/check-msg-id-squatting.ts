/**
 * CT-7.tenant-isolation, the broker's duplicate window: tenant A publishes on its own subject with
 * the Nats-Msg-Id of an event of tenant B (`B:agent:event_id`); B's own publish of that event
 * afterwards must still be stored (not acked `duplicate: true`) and be readable in the stream the
 * projector consumes. The control: B's retry of the same event is still dropped as a duplicate,
 * so the broker's deduplication (CT-3.msg-id) has not simply been switched off.
 */
import { randomUUID } from 'node:crypto';
import { ulid } from 'ulid';
import type { NatsConnection } from '@nats-io/transport-node';
import { brokerMsgId, episodeSubject } from 'continuum-contract';
import { closeQuietly, describeError, probeConnect } from './probe.js';
import {
  deleteStored,
  describeStored,
  publishStored,
  readStored,
  type StoredPublish,
} from './probe-traffic.js';
import { withDefaults } from './security-target.js';
import type { SecurityCheckResult, SecurityTarget } from './security-target.js';

/** Returns a failed result when tenant B's credential or the observer is missing. */
export async function checkMsgIdSquatting(target: SecurityTarget): Promise<SecurityCheckResult> {
  const t = withDefaults(target);
  const result = (ok: boolean, detail: string): SecurityCheckResult => ({
    clauseId: 'CT-7.tenant-isolation',
    check: 'msg-id-squatting',
    ok,
    detail,
  });
  const aCred = t.tenantA.credential;
  const bCred = t.tenantB.credential;
  if (!bCred || !t.observer)
    return result(
      false,
      "needs tenant B's credential and an observer (projector) credential to publish and read B's event",
    );
  const conns: NatsConnection[] = [];
  const stored: StoredPublish[] = [];
  let squat: StoredPublish | undefined;
  let observer: NatsConnection | undefined;
  try {
    for (const [who, cred] of [
      ['tenant A', aCred],
      ['tenant B', bCred],
      ['observer', t.observer],
    ] as const) {
      const c = await probeConnect(t.url, cred, t.timeoutMs);
      if (!c.ok) return result(false, `${who} (${cred.identity}) cannot connect: ${c.error}`);
      conns.push(c.nc);
    }
    const [a, b, obs] = conns as [NatsConnection, NatsConnection, NatsConnection];
    observer = obs;
    const msgId = brokerMsgId(t.tenantB.tenantId, t.agentId, ulid());
    const victimSubject = episodeSubject(t.tenantB.tenantId, t.agentId);
    const nonce = randomUUID();
    const lines: string[] = [];
    let ok = true;

    squat = await publishStored(
      a,
      episodeSubject(t.tenantA.tenantId, t.agentId),
      `squat-${nonce}`,
      aCred.identity,
      t.timeoutMs,
      msgId,
    );

    lines.push(`A publishes its own subject with Nats-Msg-Id ${msgId}: ${describeStored(squat)}`);
    const real = await publishStored(b, victimSubject, nonce, bCred.identity, t.timeoutMs, msgId);
    stored.push(real);
    lines.push(`B publishes it on ${victimSubject}: ${describeStored(real)}`);
    if (real.kind !== 'stored' || real.duplicate) {
      ok = false;
      lines.push("B's event was suppressed by A's publish: each tenant's duplicate window must be its own");
    } else {
      const back = await readStored(obs, real.stream, { seq: real.seq }, t.timeoutMs);
      if (back?.subject !== victimSubject || !back.body.includes(nonce)) {
        ok = false;
        lines.push(
          `${real.stream} #${real.seq} does not hold B's event (${back ? back.subject : 'nothing'})`,
        );
      }
      if (real.stream !== t.stream)
        ok = (await reachesProjectorStream(obs, t, victimSubject, nonce, lines)) && ok;
      const retry = await publishStored(
        b,
        victimSubject,
        `retry-${nonce}`,
        bCred.identity,
        t.timeoutMs,
        msgId,
      );
      stored.push(retry);
      if (retry.kind === 'stored' && retry.duplicate)
        lines.push("B's retry of the event: dropped as a duplicate (control)");
      else {
        ok = false;
        lines.push(
          `B's retry of the event: ${describeStored(retry)}; the broker no longer deduplicates B's own retries (CT-3.msg-id)`,
        );
      }
    }
    return result(ok, lines.join('; '));
  } catch (err) {
    return result(false, `probe failed: ${describeError(err)}`);
  } finally {
    if (observer) await deleteStored(observer, stored, t.timeoutMs).catch(() => undefined);
    if (squat) await deleteSquat(t, squat, observer);
    for (const c of conns) await closeQuietly(c);
  }
}

/**
 * When B's event landed in a stream of its own and the contract's stream also exists, the
 * projector reads the latter: B's event must arrive there too (a stream sourcing the tenants'
 * streams deduplicates by Nats-Msg-Id again, which would let the squat through).
 */
async function reachesProjectorStream(
  obs: NatsConnection,
  t: ReturnType<typeof withDefaults>,
  subject: string,
  nonce: string,
  lines: string[],
): Promise<boolean> {
  const exists = await readStored(obs, t.stream, { last_by_subj: subject }, t.timeoutMs).then(
    () => true,
    (err: unknown) => !/stream not found/i.test(describeError(err)),
  );
  if (!exists) {
    lines.push(`no ${t.stream}: B's own stream is what consumers read`);
    return true;
  }
  const deadline = Date.now() + t.timeoutMs;
  for (;;) {
    const last = await readStored(obs, t.stream, { last_by_subj: subject }, t.timeoutMs).catch(
      () => undefined,
    );
    if (last?.body.includes(nonce)) {
      lines.push(`B's event reached ${t.stream}`);
      return true;
    }
    if (Date.now() > deadline) {
      lines.push(
        `B's event never reached ${t.stream}, the stream the projector reads, within ${t.timeoutMs} ms`,
      );
      return false;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Deletes A's probe message with an observer in A's subject space (A's account, when apart). */
async function deleteSquat(
  t: ReturnType<typeof withDefaults>,
  squat: StoredPublish,
  observer: NatsConnection | undefined,
): Promise<void> {
  const own = t.tenantA.observer;
  if (own === undefined) {
    if (observer) await deleteStored(observer, [squat], t.timeoutMs).catch(() => undefined);
    return;
  }
  const c = await probeConnect(t.url, own, t.timeoutMs);
  if (!c.ok) return;
  await deleteStored(c.nc, [squat], t.timeoutMs).catch(() => undefined);
  await closeQuietly(c.nc);
}
