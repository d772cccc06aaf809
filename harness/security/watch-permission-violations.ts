/**
 * Core NATS publishes are fire-and-forget: a refused one shows only as an asynchronous server error
 * on the connection's status stream. This turns those into PermissionDeniedErrors for a callback
 * (the projector's refused subscriptions arrive the same way).
 */
import type { NatsConnection } from '@nats-io/transport-node';
import { toPermissionDenied } from './permission-denied-error.js';
import type { PermissionDeniedError } from './permission-denied-error.js';

/** Calls `onRefused` for every permission violation on `nc` until the connection closes. */
export function watchPermissionViolations(
  nc: NatsConnection,
  identity: string,
  onRefused: (error: PermissionDeniedError) => void,
): Promise<void> {
  return (async () => {
    for await (const s of nc.status()) {
      if (s.type !== 'error') continue;
      const denied = toPermissionDenied(s.error, identity);
      if (denied) onRefused(denied);
    }
  })();
}
