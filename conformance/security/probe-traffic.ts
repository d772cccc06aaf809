/**
 * Stored probe traffic for the checks that must watch real messages flow: a JetStream publish
 * that reports the broker's ack as data, a pull by the observer (so the messages travel to the
 * observer's inbox as they do to the projector's), and removal of the probe messages afterwards.
 */
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { nanos } from '@nats-io/transport-node';
import { toPermissionDenied } from '../../harness/security/permission-denied-error.js';
import { describeError, probeBody } from './probe.js';

/** What the broker said to one JetStream publish. */
export type StoredPublish =
  | { kind: 'stored'; stream: string; seq: number; duplicate: boolean }
  | { kind: 'refused'; error: string }
  | { kind: 'error'; error: string };

/** Publishes a probe body carrying `nonce` through JetStream, optionally with a Nats-Msg-Id. */
export async function publishStored(
  nc: NatsConnection,
  subject: string,
  nonce: string,
  identity: string,
  timeoutMs: number,
  msgId?: string,
): Promise<StoredPublish> {
  try {
    const ack = await jetstream(nc).publish(subject, probeBody(nonce), {
      timeout: timeoutMs,
      ...(msgId === undefined ? {} : { msgID: msgId }),
    });
    return { kind: 'stored', stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate };
  } catch (err) {
    const denied = toPermissionDenied(err, identity);
    if (denied) return { kind: 'refused', error: denied.message };
    return { kind: 'error', error: describeError(err) };
  }
}

/**
 * Pulls up to `count` messages of `subject` from `stream`, starting at `fromSeq`, through an
 * ephemeral consumer, and acks each: the deliveries go to the puller's inbox, the acks to
 * `$JS.ACK`. Returns the bodies received.
 */
export async function pullAndAck(
  nc: NatsConnection,
  stream: string,
  subject: string,
  fromSeq: number,
  count: number,
  timeoutMs: number,
): Promise<string[]> {
  const jsm = await jetstreamManager(nc, { timeout: timeoutMs });
  const info = await jsm.consumers.add(stream, {
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: fromSeq,
    filter_subject: subject,
    inactive_threshold: nanos(Math.max(timeoutMs * 4, 10_000)),
  });
  try {
    const consumer = await jetstream(nc).consumers.get(stream, info.name);
    const bodies: string[] = [];
    const batch = await consumer.fetch({ max_messages: count, expires: Math.max(timeoutMs, 1_000) });
    for await (const m of batch) {
      bodies.push(m.string());
      await m.ackAck({ timeout: timeoutMs });
      if (bodies.length >= count) break;
    }
    return bodies;
  } finally {
    await jsm.consumers.delete(stream, info.name).catch(() => undefined);
  }
}

/** Reads one stored message's subject and body, or undefined when there is none at `seq`. */
export async function readStored(
  nc: NatsConnection,
  stream: string,
  query: { seq: number } | { last_by_subj: string },
  timeoutMs: number,
): Promise<{ subject: string; body: string } | undefined> {
  const jsm = await jetstreamManager(nc, { timeout: timeoutMs });
  const m = await jsm.streams.getMessage(stream, query);
  return m === null ? undefined : { subject: m.subject, body: m.string() };
}

/** Deletes the probe messages again, so a deployment under test keeps none of them. */
export async function deleteStored(
  nc: NatsConnection,
  stored: readonly StoredPublish[],
  timeoutMs: number,
): Promise<void> {
  const jsm = await jetstreamManager(nc, { timeout: timeoutMs });
  for (const s of stored) {
    if (s.kind === 'stored' && !s.duplicate)
      await jsm.streams.deleteMessage(s.stream, s.seq, false).catch(() => undefined);
  }
}

/** One line for a publish outcome. */
export function describeStored(p: StoredPublish): string {
  return p.kind === 'stored'
    ? `stored in ${p.stream} #${p.seq}${p.duplicate ? ' as a DUPLICATE (not stored)' : ''}`
    : `${p.kind} (${p.error})`;
}
