import { jetstreamManager } from '@nats-io/jetstream';
import { CONTRACT } from '../../lib/index.js';
import { connectNats, type NatsConnectOptions } from '../../harness/services/connect-nats.js';

/** Waits until some process pulls on the contract's durable consumer; false after `timeoutMs`. */
export async function waitConsumerPulling(
  natsUrl: string,
  timeoutMs: number,
  connect: NatsConnectOptions = {},
): Promise<boolean> {
  const nc = await connectNats(natsUrl, connect);
  try {
    const jsm = await jetstreamManager(nc);
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      const info = await jsm.consumers
        .info(CONTRACT.streams.episodes.name, CONTRACT.consumer.durable_name)
        .catch(() => undefined);
      if (info !== undefined && info.num_waiting > 0) return true;
      await new Promise((r) => setTimeout(r, 200));
    }
    return false;
  } finally {
    await nc.close();
  }
}
