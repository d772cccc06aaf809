import type { Consumer, JsMsg } from '@nats-io/jetstream';

/** Options of a {@link MessageBatcher}. */
export interface MessageBatcherOptions {
  /** Most messages per batch; also the size of one pull. */
  batchSize: number;
  /** How long to gather a partial batch once a message is waiting. */
  maxWaitMs: number;
  /** Runs on each message as it arrives (the projector decodes here, overlapping database waits). */
  onMessage?: (msg: JsMsg) => void;
  /** A pull failed (NATS unavailable); the batcher backs off by the returned ms and retries. */
  onFetchError: (err: unknown, failures: number) => number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Bounded pulls from a JetStream pull consumer, cut into batches. One fetch of up to a batch
 * at a time and none while two batches wait, so a process never holds more than it can handle
 * within the ack wait (consume() would keep pulling however slowly we process). Messages are
 * handed over as they arrive, not when the fetch completes, so a quiet stream still has low lag.
 */
export class MessageBatcher {
  readonly #consumer: Consumer;
  readonly #o: MessageBatcherOptions;
  readonly #buffer: JsMsg[] = [];
  readonly #reader: Promise<void>;
  #wake: (() => void) | undefined;
  #space: (() => void) | undefined;
  #stopping = false;

  constructor(consumer: Consumer, options: MessageBatcherOptions) {
    this.#consumer = consumer;
    this.#o = options;
    this.#reader = this.#read();
  }

  /** The next batch, or undefined once stop() was called. */
  async next(): Promise<JsMsg[] | undefined> {
    if (this.#buffer.length === 0 && !this.#stopping) await new Promise<void>((r) => (this.#wake = r));
    this.#wake = undefined;
    if (this.#stopping) return undefined;
    if (this.#buffer.length < this.#o.batchSize) await sleep(this.#o.maxWaitMs);
    if (this.#stopping) return undefined;
    const batch = this.#buffer.splice(0, this.#o.batchSize);
    this.#space?.();
    return batch;
  }

  /**
   * Stops pulling. The open fetch ends within its expiry; what it delivered that no batch took
   * is nak'ed, for immediate redelivery rather than after the ack wait.
   */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#wake?.();
    this.#space?.();
    await this.#reader;
    for (const m of this.#buffer.splice(0)) m.nak();
  }

  async #read(): Promise<void> {
    for (let failures = 0; !this.#stopping;) {
      if (this.#buffer.length >= this.#o.batchSize * 2) {
        await new Promise<void>((r) => (this.#space = r));
        this.#space = undefined;
        continue;
      }
      try {
        const messages = await this.#consumer.fetch({ max_messages: this.#o.batchSize, expires: 1000 });
        for await (const m of messages) {
          try {
            this.#o.onMessage?.(m);
          } catch {
            // onMessage only gets ahead of the batch's own work; the batch handles the message.
          }
          this.#buffer.push(m);
          this.#wake?.();
        }
        failures = 0;
      } catch (err) {
        if (this.#stopping) break;
        await sleep(this.#o.onFetchError(err, failures++));
      }
    }
  }
}
