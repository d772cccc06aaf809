/**
 * CT-7.tenant-isolation, replies: while tenant B publishes through JetStream (acks to B's inbox)
 * and the observer pulls and acks B's messages as a projector does (deliveries to the observer's
 * inbox, acks on `$JS.ACK`), tenant A subscribes to every inbox root and wildcard it might use to
 * listen in, and must receive nothing. The traffic itself is the positive control: without B's
 * acks and the observer's deliveries there was nothing to leak, and the check fails.
 *
 * No waiting on the clock: the server copies a message to every matching subscription at once,
 * so after B and the observer have theirs, A's flush returns only after any copy for A.
 */
import { randomUUID } from 'node:crypto';
import type { Msg, NatsConnection } from '@nats-io/transport-node';
import { episodeSubject } from 'continuum-contract';
import { INBOX_PREFIXES, producerInboxPrefix } from '../../harness/security/nats-permissions.js';
import { closeQuietly, describeError, probeConnect, probeSubscribe } from './probe.js';
import {
  deleteStored,
  describeStored,
  publishStored,
  pullAndAck,
  type StoredPublish,
} from './probe-traffic.js';
import { withDefaults } from './security-target.js';
import type { SecurityCheckResult, SecurityTarget } from './security-target.js';

const PROBES = 3;

/** The roots and wildcards tenant A tries: everything but its own inbox. */
function listeningSubjects(t: ReturnType<typeof withDefaults>): string[] {
  const roots = [
    '_INBOX',
    INBOX_PREFIXES.projector,
    INBOX_PREFIXES.kit,
    INBOX_PREFIXES.producer,
    producerInboxPrefix(t.tenantB.tenantId),
    t.observer?.inboxPrefix ?? '_INBOX',
    t.tenantB.credential?.inboxPrefix ?? '_INBOX',
  ];
  return [...new Set(['>', '$JS.ACK.>', ...roots.map((r) => `${r}.>`)])];
}

/** Returns a failed result when tenant B's credential or the observer is missing. */
export async function checkInboxRead(target: SecurityTarget): Promise<SecurityCheckResult> {
  const t = withDefaults(target);
  const result = (ok: boolean, detail: string): SecurityCheckResult => ({
    clauseId: 'CT-7.tenant-isolation',
    check: 'inbox-and-wildcard-read',
    ok,
    detail,
  });
  const bCred = t.tenantB.credential;
  if (!bCred || !t.observer)
    return result(
      false,
      "needs tenant B's credential and an observer (projector) credential to make traffic A could read",
    );
  const conns: NatsConnection[] = [];
  const open = async (who: string, cred: typeof bCred): Promise<NatsConnection> => {
    const c = await probeConnect(t.url, cred, t.timeoutMs);
    if (!c.ok) throw new Error(`${who} (${cred.identity}) cannot connect: ${c.error}`);
    conns.push(c.nc);
    return c.nc;
  };
  const stored: StoredPublish[] = [];
  let observer: NatsConnection | undefined;
  try {
    const a = await open('tenant A', t.tenantA.credential);
    const b = await open('tenant B', bCred);
    observer = await open('observer', t.observer);
    const lines: string[] = [];
    let ok = true;
    const leaked: Msg[] = [];
    for (const subject of listeningSubjects(t)) {
      const out = await probeSubscribe(a, subject, t.tenantA.credential.identity, (m) => leaked.push(m));
      lines.push(`A subscribes ${subject}: ${out.kind === 'error' ? out.error : out.kind}`);
    }
    const nonce = randomUUID();
    const subject = episodeSubject(t.tenantB.tenantId, t.agentId);
    for (let i = 0; i < PROBES; i++)
      stored.push(await publishStored(b, subject, nonce, bCred.identity, t.timeoutMs));
    const acked = stored.filter((s) => s.kind === 'stored' && !s.duplicate);
    const first = acked[0];
    if (acked.length < PROBES || first?.kind !== 'stored') {
      return result(
        false,
        `B's probe publishes were not all stored (${stored.map(describeStored).join(', ')}); no traffic to judge`,
      );
    }
    const pulled = await pullAndAck(observer, first.stream, subject, first.seq, PROBES, t.timeoutMs);
    const seen = pulled.filter((body) => body.includes(nonce)).length;
    if (seen < PROBES) {
      ok = false;
      lines.push(
        `observer pulled ${seen} of ${PROBES} of B's messages from ${first.stream}; no delivery traffic to judge`,
      );
    } else
      lines.push(
        `B stored ${PROBES} messages in ${first.stream} (acks on B's inbox); observer pulled and acked them`,
      );
    await a.flush();
    if (leaked.length > 0) {
      ok = false;
      const subjects = [...new Set(leaked.map((m) => m.subject))].slice(0, 5);
      lines.push(`A RECEIVED ${leaked.length} messages it must not see, e.g. on ${subjects.join(', ')}`);
    } else lines.push('A received nothing');
    return result(ok, lines.join('; '));
  } catch (err) {
    return result(false, `probe failed: ${describeError(err)}`);
  } finally {
    if (observer) await deleteStored(observer, stored, t.timeoutMs).catch(() => undefined);
    for (const c of conns) await closeQuietly(c);
  }
}
