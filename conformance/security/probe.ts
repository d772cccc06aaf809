/**
 * Low-level probes of a NATS server's answers: connect, publish-with-reply, subscribe. Each returns
 * what the server said as data, so checks can tell "refused by permissions" apart from "accepted",
 * "no answer" and "could not even connect".
 */
import { connect, headers } from '@nats-io/transport-node';
import type { Msg, NatsConnection } from '@nats-io/transport-node';
import { natsConnectOptions } from '../../harness/security/nats-credential.js';
import type { NatsCredential } from '../../harness/security/nats-credential.js';
import { toPermissionDenied } from '../../harness/security/permission-denied-error.js';

/** Outcome of a connection attempt. */
export type ConnectOutcome = { ok: true; nc: NatsConnection } | { ok: false; error: string };

/** Connects once, no reconnects; never throws. */
export async function probeConnect(
  url: string,
  credential: NatsCredential,
  timeoutMs: number,
): Promise<ConnectOutcome> {
  try {
    const nc = await connect(natsConnectOptions(url, credential, { timeout: timeoutMs }));
    return { ok: true, nc };
  } catch (err) {
    return { ok: false, error: describeError(err) };
  }
}

/** What the server did with a probe publish. */
export type PublishOutcome =
  | { kind: 'refused'; error: string }
  | { kind: 'accepted'; answer: string }
  | { kind: 'no-answer'; error: string }
  | { kind: 'error'; error: string };

/**
 * JetStream rejects a publish whose expected last sequence is wrong without storing it, so a probe
 * that the server lets through leaves no message in the stream, yet still gets an answer.
 */
const NEVER_LAST_SEQUENCE = '987654321987654';

/** The body of probe messages; `nonce` lets an observer recognise them among real traffic. */
export function probeBody(nonce: string): string {
  return JSON.stringify({ conformance_probe: 'continuum-kit security', nonce });
}

/** Headers that make JetStream refuse to store a probe (wrong expected last sequence). */
export function probeHeaders(): ReturnType<typeof headers> {
  const h = headers();
  h.set('Nats-Expected-Last-Sequence', NEVER_LAST_SEQUENCE);
  return h;
}

/**
 * Sends a request to `subject` (by default a probe body JetStream will not store) and waits for the
 * answer. 'accepted' means the server routed it (any answer, or "no responders"); 'refused' means a
 * permissions violation for exactly this subject.
 */
export async function probePublish(
  nc: NatsConnection,
  subject: string,
  identity: string,
  timeoutMs: number,
  body: string = probeBody('request'),
): Promise<PublishOutcome> {
  try {
    const reply = await nc.request(subject, body, { timeout: timeoutMs, headers: probeHeaders() });
    return { kind: 'accepted', answer: `answered: ${truncate(reply.string())}` };
  } catch (err) {
    const denied = toPermissionDenied(err, identity);
    if (denied?.operation === 'publish' && denied.subject === subject)
      return { kind: 'refused', error: denied.message };
    if (hasName(err, 'NoResponders') || hasName(err, 'NoRespondersError')) {
      return { kind: 'accepted', answer: 'routed by the server (no responders: no stream captured it)' };
    }
    if (hasName(err, 'TimeoutError')) return { kind: 'no-answer', error: `no answer within ${timeoutMs} ms` };
    return { kind: 'error', error: describeError(err) };
  }
}

/** What the server did with a subscription. */
export type SubscribeOutcome =
  { kind: 'refused'; error: string } | { kind: 'accepted' } | { kind: 'error'; error: string };

/**
 * Subscribes to `subject` and flushes: the server answers SUB before the flush's PONG, so after the
 * flush a refused subscription is already closed with its permissions violation. With `onMessage`
 * an accepted subscription stays open and hands over what it receives (until the connection closes).
 */
export async function probeSubscribe(
  nc: NatsConnection,
  subject: string,
  identity: string,
  onMessage?: (msg: Msg) => void,
): Promise<SubscribeOutcome> {
  try {
    const sub = nc.subscribe(subject, {
      ...(onMessage ? { callback: (err, msg) => (err ? undefined : onMessage(msg)) } : {}),
    });
    await nc.flush();
    if (!sub.isClosed()) {
      if (!onMessage) sub.unsubscribe();
      return { kind: 'accepted' };
    }
    const closed = await sub.closed;
    const denied = toPermissionDenied(closed, identity);
    if (denied?.operation === 'subscribe') return { kind: 'refused', error: denied.message };
    return { kind: 'error', error: `subscription closed: ${describeError(closed)}` };
  } catch (err) {
    return { kind: 'error', error: describeError(err) };
  }
}

/** Closes quietly; a probe connection may already be dead. */
export async function closeQuietly(nc: NatsConnection | undefined): Promise<void> {
  if (!nc) return;
  await nc.close().catch(() => undefined);
}

/** `Name: message (cause: ...)`, one line. */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? ` (cause: ${err.cause.message})` : '';
  return truncate(`${err.name}: ${err.message}${cause}`.replace(/\s+/g, ' '));
}

function hasName(err: unknown, name: string): boolean {
  for (let e: unknown = err, d = 0; e instanceof Error && d < 8; e = e.cause, d++)
    if (e.name === name) return true;
  return false;
}

function truncate(s: string, n = 300): string {
  return s.length > n ? `${s.slice(0, n)}...` : s;
}
