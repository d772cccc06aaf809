import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '../logger.js';
import { connectNats, type NatsConnectOptions } from '../services/connect-nats.js';

/** Connected: publishes go out. Connecting: the bus is wanted but not reachable. Disconnected: taken away on purpose. */
export type BusState = 'connected' | 'connecting' | 'disconnected';

/**
 * The producer's NATS connection. It keeps trying to (re)connect for as long as the bus is wanted
 * and never throws into the write path; `disconnect()` takes the bus away on purpose (the driver's
 * POST /bus/disconnect) and `connect()` gives it back.
 */
export class BusConnection {
  private nc: NatsConnection | undefined;
  private js: JetStreamClient | undefined;
  private wanted = false;
  private reachable = false;
  private loop: Promise<void> | undefined;
  private waiters: (() => void)[] = [];

  constructor(
    private readonly url: string,
    private readonly logger: Logger,
    private readonly connectOptions: NatsConnectOptions = {},
  ) {}

  get state(): BusState {
    if (!this.wanted) return 'disconnected';
    return this.reachable ? 'connected' : 'connecting';
  }

  /** The JetStream client while connected; undefined otherwise. */
  client(): JetStreamClient | undefined {
    return this.reachable ? this.js : undefined;
  }

  /** Starts connecting in the background; resolves at once. */
  connect(): void {
    if (this.wanted) return;
    this.wanted = true;
    this.loop = this.run();
  }

  /** Closes the connection and stops reconnecting. In-flight publishes fail and are retried later. */
  async disconnect(): Promise<void> {
    this.wanted = false;
    this.reachable = false;
    const nc = this.nc;
    this.nc = undefined;
    this.js = undefined;
    this.wake();
    if (nc) await nc.close().catch(() => undefined);
    await this.loop;
  }

  /** Resolves when connected, or after `timeoutMs`, whichever is first. */
  async ready(timeoutMs: number): Promise<boolean> {
    if (this.state === 'connected') return true;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    return (this.state as BusState) === 'connected';
  }

  /** Wakes everyone waiting in {@link ready} now (shutdown: they re-check whether to give up). */
  interrupt(): void {
    this.wake();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  private async run(): Promise<void> {
    let delay = 100;
    while (this.wanted) {
      let nc: NatsConnection;
      try {
        nc = await connectNats(this.url, {
          name: 'continuum-ref-producer',
          ...this.connectOptions,
          connection: {
            maxReconnectAttempts: -1,
            reconnectTimeWait: 250,
            // Two stack captures per publish otherwise; errors keep their classes and causes.
            noAsyncTraces: true,
            ...this.connectOptions.connection,
          },
        });
      } catch (error) {
        this.logger.debug({ err: String(error), url: this.url }, 'bus not reachable; retrying');
        await sleep(delay);
        delay = Math.min(delay * 2, 2000);
        continue;
      }
      delay = 100;
      if (!this.wanted) {
        await nc.close();
        return;
      }
      this.nc = nc;
      this.js = jetstream(nc, { timeout: 5000 });
      this.reachable = true;
      this.logger.info({ url: this.url }, 'bus connected');
      this.wake();
      const closed = nc.closed();
      for await (const s of nc.status()) {
        if (s.type === 'disconnect') this.reachable = false;
        if (s.type === 'reconnect') {
          this.reachable = true;
          this.logger.info({ url: this.url }, 'bus reconnected');
          this.wake();
        }
      }
      await closed;
      this.reachable = false;
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
