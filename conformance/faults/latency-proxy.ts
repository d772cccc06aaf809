import net from 'node:net';

/**
 * A TCP proxy on a free loopback port in front of one upstream (host:port), for the `latency`
 * and `bus-partition` faults. Bytes keep their order in each direction; each chunk is held for
 * the current latency. `cut()` drops every connection and refuses new ones until `restore()`.
 */
export interface LatencyProxy extends AsyncDisposable {
  readonly port: number;
  /** `nats://127.0.0.1:<port>` style URL: the upstream URL with the proxy's port. */
  readonly url: string;
  /** Current one-way delay in ms. */
  latencyMs: number;
  readonly cutOff: boolean;
  readonly connections: number;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

/** Starts a proxy for `upstreamUrl` (e.g. `nats://127.0.0.1:4222`). */
export async function startLatencyProxy(upstreamUrl: string): Promise<LatencyProxy> {
  const upstream = new URL(upstreamUrl);
  const target = { host: upstream.hostname, port: Number(upstream.port) };
  const sockets = new Set<net.Socket>();
  let latencyMs = 0;
  let cutOff = false;

  // One ordered queue per direction: a chunk leaves `latencyMs` after it arrived, never before the previous one.
  const pipe = (from: net.Socket, to: net.Socket): void => {
    let last = 0;
    from.on('data', (chunk) => {
      if (latencyMs <= 0 && last <= Date.now()) {
        to.write(chunk);
        return;
      }
      const due = Math.max(Date.now() + latencyMs, last);
      last = due;
      setTimeout(() => {
        if (!to.destroyed) to.write(chunk);
      }, due - Date.now());
    });
    from.on('end', () => setTimeout(() => to.end(), Math.max(0, last - Date.now())));
  };

  const server = net.createServer((client) => {
    if (cutOff) {
      client.destroy();
      return;
    }
    const up = net.connect(target);
    for (const s of [client, up]) {
      sockets.add(s);
      s.on('error', () => {
        client.destroy();
        up.destroy();
      });
      s.on('close', () => {
        sockets.delete(s);
        client.destroy();
        up.destroy();
      });
    }
    pipe(client, up);
    pipe(up, client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const port = (server.address() as net.AddressInfo).port;
  const url = `${upstream.protocol}//127.0.0.1:${port}`;
  const close = async (): Promise<void> => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return {
    port,
    url,
    get latencyMs() {
      return latencyMs;
    },
    set latencyMs(ms: number) {
      latencyMs = Math.max(0, ms);
    },
    get cutOff() {
      return cutOff;
    },
    get connections() {
      return sockets.size / 2;
    },
    cut() {
      cutOff = true;
      for (const s of sockets) s.destroy();
    },
    restore() {
      cutOff = false;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
