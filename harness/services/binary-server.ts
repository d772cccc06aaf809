import { ManagedProcess, type ProcessSpec } from './managed-process.js';
import type { Probe } from './probes.js';
import type { ServiceName } from './service-error.js';
import { waitUntilReady } from './wait-until-ready.js';

/** What the fault hooks need of a server started here: a BinaryServer, or secure NATS. */
export type RestartableServer = Pick<BinaryServer, 'url' | 'pid' | 'start' | 'stop'>;

/**
 * A server run from a binary on a fixed loopback port and data dir, so that it can be stopped
 * and started again (fault injection) with its URL and stored state unchanged.
 */
export class BinaryServer {
  readonly service: ServiceName;
  readonly url: string;
  readonly port: number;
  private readonly managed: ManagedProcess;
  private readonly probe: Probe;
  private readonly readyTimeoutMs: number;

  constructor(options: {
    service: ServiceName;
    url: string;
    port: number;
    spec: ProcessSpec;
    probe: Probe;
    readyTimeoutMs: number;
  }) {
    this.service = options.service;
    this.url = options.url;
    this.port = options.port;
    this.managed = new ManagedProcess(options.spec);
    this.probe = options.probe;
    this.readyTimeoutMs = options.readyTimeoutMs;
  }

  /** Starts the process and waits until it answers; throws ServiceError otherwise. */
  async start(): Promise<void> {
    await this.managed.start();
    try {
      await waitUntilReady(this.probe, {
        service: this.service,
        description: `${this.managed.spec.name} on 127.0.0.1:${this.port}`,
        timeoutMs: this.readyTimeoutMs,
        process: this.managed,
      });
    } catch (error) {
      await this.managed.stop({ signal: 'SIGKILL' });
      throw error;
    }
  }

  /** Stops the process (graceful signal, or `signal`) and waits for it to exit. */
  stop(signal?: NodeJS.Signals): Promise<void> {
    return this.managed.stop(signal === undefined ? {} : { signal });
  }

  /** The running server's pid (undefined when stopped). */
  get pid(): number | undefined {
    return this.managed.pid;
  }

  /** True while the process runs. */
  get running(): boolean {
    return this.managed.running;
  }
}
