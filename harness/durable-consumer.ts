import { AckPolicy, DeliverPolicy, type ConsumerConfig, type JetStreamManager } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { CONTRACT } from 'continuum-contract';

/** Settings of the contract's durable consumer that a run may change. */
export interface DurableConsumerOptions {
  /**
   * ack_wait in ms; default the contract's. A shorter one brings what a killed projector held
   * back sooner (runs that kill projectors use it and say so in their report).
   */
  ackWaitMs?: number;
}

/** The contract's durable pull consumer (CT-4): the one configuration every part of the kit uses. */
export function durableConsumerConfig(o: DurableConsumerOptions = {}): Partial<ConsumerConfig> {
  const c = CONTRACT.consumer;
  return {
    durable_name: c.durable_name,
    filter_subject: c.filter_subject,
    max_ack_pending: c.max_ack_pending,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos(o.ackWaitMs ?? c.ack_wait_ms),
  };
}

/**
 * Creates the durable consumer, or brings an existing one's ack_wait to `o.ackWaitMs` when one
 * is given (an existing consumer is otherwise left as it is: its owner may have tuned it).
 */
export async function ensureDurableConsumer(
  jsm: JetStreamManager,
  o: DurableConsumerOptions = {},
): Promise<void> {
  const stream = CONTRACT.streams.episodes.name;
  const config = durableConsumerConfig(o);
  const exists = await jsm.consumers.info(stream, CONTRACT.consumer.durable_name).then(
    () => true,
    () => false,
  );
  if (!exists) await jsm.consumers.add(stream, config);
  else if (o.ackWaitMs !== undefined)
    await jsm.consumers.update(stream, CONTRACT.consumer.durable_name, { ack_wait: config.ack_wait });
}

/** True while some process has a pull request waiting on the durable consumer. */
export async function consumerPulling(jsm: JetStreamManager): Promise<boolean> {
  const info = await jsm.consumers
    .info(CONTRACT.streams.episodes.name, CONTRACT.consumer.durable_name)
    .catch(() => undefined);
  return info !== undefined && info.num_waiting > 0;
}
