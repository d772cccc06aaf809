/**
 * Turns many concurrent single-key requests into one batched call: while a batch is in flight,
 * new requests queue; when it returns, every queued request goes out together. Many schedules
 * in flight therefore cost one query per round, not one query each.
 */
export class Coalescer<K, R> {
  private queue: { key: K; resolve: (r: R) => void; reject: (e: unknown) => void }[] = [];
  private running = 0;

  constructor(
    private readonly runBatch: (keys: K[]) => Promise<R[]>,
    private readonly maxInFlight = 1,
  ) {}

  request(key: K): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ key, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    if (this.running >= this.maxInFlight || this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    this.running++;
    this.runBatch(batch.map((b) => b.key)).then(
      (results) => {
        batch.forEach((b, i) => b.resolve(results[i] as R));
        this.done();
      },
      (error: unknown) => {
        batch.forEach((b) => b.reject(error));
        this.done();
      },
    );
  }

  private done(): void {
    this.running--;
    this.pump();
  }
}
