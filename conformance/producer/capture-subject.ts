import type { JetStreamClient } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { EnvironmentError } from '../runner/run-properties.js';
import { CONTRACT, EPISODE_SUBJECT_PREFIX, episodeSubjectFilter } from 'continuum-contract';

/** A message seen on a subject, as published (before any stream dedup). */
export interface CapturedMessage {
  subject: string;
  msgId: string | undefined;
  data: string;
}

/** The connection under a JetStream client (the client keeps it; its public type does not say so). */
export function connectionOf(js: JetStreamClient): NatsConnection {
  const withConn = js as unknown as { getConnection?: () => NatsConnection };
  if (typeof withConn.getConnection !== 'function')
    throw new EnvironmentError('the JetStream client does not expose its NATS connection');
  return withConn.getConnection();
}

/**
 * Core-NATS capture of everything published on `subject` while it runs. Unlike reading the
 * stream, it also sees republished messages the stream drops as duplicates of its window, so a
 * backfill (or a dry run that publishes) is visible even inside the duplicate window.
 */
export async function captureSubject(
  js: JetStreamClient,
  subject: string,
): Promise<{ stop(): Promise<CapturedMessage[]> }> {
  const nc = connectionOf(js);
  const seen: CapturedMessage[] = [];
  const sub = nc.subscribe(subject, {
    callback: (error, m) => {
      if (error === null)
        seen.push({ subject: m.subject, msgId: m.headers?.get(CONTRACT.headers.msgId), data: m.string() });
    },
  });
  await nc.flush(); // the subscription is in place before anything is published
  return {
    async stop() {
      // Everything the server routed to us before the PONG has been handed to the callback.
      await nc.flush();
      sub.unsubscribe();
      return seen;
    },
  };
}

/**
 * Every message the stream holds for the tenant (after the stream's dedup), also on subjects
 * with the tenant in the agent's place, so a producer swapping them is judged under CT-3.topic.
 */
export async function readBus(js: JetStreamClient, tenant: string): Promise<CapturedMessage[]> {
  const own = await readStream(js, episodeSubjectFilter(tenant));
  // The two filters overlap on v1.{tenant}.{tenant}, which one consumer cannot hold; read it once.
  const swapped = (await readStream(js, episodeSubjectFilter('*', tenant))).filter(
    (m) => !m.subject.startsWith(`${EPISODE_SUBJECT_PREFIX}${tenant}.`),
  );
  return [...own, ...swapped];
}

async function readStream(js: JetStreamClient, filter: string): Promise<CapturedMessage[]> {
  const consumer = await js.consumers.get(CONTRACT.streams.episodes.name, { filter_subjects: filter });
  const pending = (await consumer.info(true)).num_pending;
  const out: CapturedMessage[] = [];
  if (pending === 0) return out;
  for await (const m of await consumer.fetch({ max_messages: pending, expires: 3000 })) {
    out.push({ subject: m.subject, msgId: m.headers?.get(CONTRACT.headers.msgId), data: m.string() });
    if (out.length >= pending) break;
  }
  return out;
}
