import { JetStreamApiError } from '@nats-io/jetstream';
import { toPermissionDenied, type PermissionDeniedError } from '../security/permission-denied-error.js';
import type { BusConnection } from './bus-connection.js';

/** JetStream's 'message size exceeds maximum allowed': the stream counts headers too, so retrying cannot help. */
const JS_ERR_MAX_SIZE = 10054;

/** Capped exponential backoff with jitter, and the per-attempt ack timeout. */
export interface RetryOptions {
  initialMs: number;
  maxMs: number;
  timeoutMs: number;
}

/** The broker's answer to the attempt that succeeded, or its permanent refusal. */
export type PublishAck =
  | {
      duplicate: boolean;
      /** Publish call to JetStream ack, of the successful attempt, in milliseconds. */
      latencyMs: number;
      rejected?: undefined;
      refused?: undefined;
    }
  | { rejected: string; refused?: undefined }
  /** The bus refused this credential the subject (CT-6.fail-closed): terminal, never retried. */
  | { refused: PermissionDeniedError; rejected?: undefined };

/**
 * Publishes with Nats-Msg-Id and waits for the JetStream ack, retrying every failure (bus away,
 * no ack in time, no stream yet) with capped exponential backoff. Every attempt carries the same
 * msg id, so a retry of a publish that did land is dropped by the stream's duplicate window.
 * A refusal no retry can fix comes back instead: the stream's size limit as `rejected`, a
 * permissions violation for `identity` as `refused`. Returns undefined only when `shouldGiveUp`
 * says so (shutdown).
 */
export async function publishWithRetry(
  bus: BusConnection,
  msg: { subject: string; msgId: string; data: Uint8Array },
  retry: RetryOptions,
  hooks: { shouldGiveUp: () => boolean; onRetry: (error: unknown) => void; identity?: string },
): Promise<PublishAck | undefined> {
  for (let attempt = 0; ; attempt++) {
    if (hooks.shouldGiveUp()) return undefined;
    const js = bus.client();
    if (js) {
      const started = performance.now();
      try {
        const ack = await js.publish(msg.subject, msg.data, { msgID: msg.msgId, timeout: retry.timeoutMs });
        return { duplicate: ack.duplicate, latencyMs: performance.now() - started };
      } catch (error) {
        if (error instanceof JetStreamApiError && error.code === JS_ERR_MAX_SIZE)
          return { rejected: error.message };
        const refused = toPermissionDenied(error, hooks.identity ?? 'producer');
        if (refused !== undefined) return { refused };
        hooks.onRetry(error);
      }
    }
    const backoff = Math.min(retry.maxMs, retry.initialMs * 2 ** Math.min(attempt, 20));
    const wait = backoff / 2 + Math.random() * (backoff / 2);
    if (js) await sleep(wait);
    else await bus.ready(wait); // the bus is away: wake as soon as it is back
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
