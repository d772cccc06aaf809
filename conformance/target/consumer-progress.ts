import type { JetStreamClient } from '@nats-io/jetstream';
import { CONTRACT } from 'continuum-contract';
import { Coalescer } from './coalescer.js';

/** How far the contract's durable consumer has got, read once for every run waiting on it. */
export interface AckProgress {
  /** Stream sequence up to which every message is acknowledged. */
  ackFloor: number;
  /** Nothing is waiting to be delivered or to be acknowledged. */
  idle: boolean;
  /** Highest stream sequence delivered so far. */
  delivered: number;
}

/**
 * The projector acknowledges a message only after committing its effect (CT-4.ack-after-commit),
 * so once the durable consumer's ack floor passes a run's last published sequence, everything
 * the run sent has been handled: that is the evidence settling waits for.
 */
export class ConsumerProgress {
  private readonly reads: Coalescer<null, AckProgress | undefined>;

  constructor(private readonly js: JetStreamClient) {
    this.reads = new Coalescer(async (keys) => {
      const progress = await this.read();
      return keys.map(() => progress);
    });
  }

  /** Undefined when the contract's durable consumer does not exist (no evidence: settle on quiet). */
  current(): Promise<AckProgress | undefined> {
    return this.reads.request(null);
  }

  /** Whether everything up to `seq` has been handled. */
  static covers(p: AckProgress, seq: number): boolean {
    return p.ackFloor >= seq || (p.idle && p.delivered >= seq);
  }

  private async read(): Promise<AckProgress | undefined> {
    try {
      const jsm = await this.js.jetstreamManager();
      const info = await jsm.consumers.info(CONTRACT.streams.episodes.name, CONTRACT.consumer.durable_name);
      return {
        ackFloor: info.ack_floor.stream_seq,
        idle: info.num_pending === 0 && info.num_ack_pending === 0,
        delivered: info.delivered.stream_seq,
      };
    } catch {
      return undefined;
    }
  }
}
