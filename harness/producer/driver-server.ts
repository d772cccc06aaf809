import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ProducerError } from './errors.js';
import type { ReferenceProducer } from './reference-producer.js';

/** A running driver endpoint (driver/openapi.yaml). */
export interface DriverServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

type Handler = (
  params: string[],
  body: unknown,
  req: http.IncomingMessage,
) => Promise<[number, unknown]> | [number, unknown];
interface Route {
  method: string;
  pattern: RegExp;
  handler: Handler;
}

const SEG = '([^/]+)';
const MAX_BODY_BYTES = 1 << 20;

/**
 * Serves the language-neutral producer driver protocol (driver/openapi.yaml) over node:http for
 * the reference producer, so the conformance kit drives it exactly as it drives any other one.
 */
export async function startDriverServer(
  producer: ReferenceProducer,
  options: { port?: number; host?: string } = {},
): Promise<DriverServer> {
  const write = (status: number, fn: () => unknown): [number, unknown] => {
    const result = fn() as object;
    return [status, { ...result, bus: producer.bus.state }];
  };
  const obj = (b: unknown): Record<string, unknown> =>
    typeof b === 'object' && b !== null && !Array.isArray(b) ? (b as Record<string, unknown>) : {};
  const routes: Route[] = [
    { method: 'GET', pattern: /^\/health$/, handler: () => [200, { ok: true }] },
    { method: 'GET', pattern: /^\/status$/, handler: () => [200, producer.status()] },
    {
      method: 'POST',
      pattern: /^\/status\/reset-latency$/,
      handler: () => (producer.resetLatency(), [200, producer.status()]),
    },
    {
      method: 'POST',
      pattern: /^\/episodes$/,
      handler: (_p, b) => write(201, () => producer.create(obj(b) as never)),
    },
    {
      method: 'PUT',
      pattern: new RegExp(`^/episodes/${SEG}/${SEG}/${SEG}$`),
      handler: ([t, a, e], b) => write(200, () => producer.update(t!, a!, e!, obj(b))),
    },
    {
      method: 'POST',
      pattern: new RegExp(`^/episodes/${SEG}/${SEG}/${SEG}/summarize$`),
      handler: ([t, a, e], b) => write(200, () => producer.summarize(t!, a!, e!, obj(b).summary as string)),
    },
    {
      method: 'DELETE',
      pattern: new RegExp(`^/episodes/${SEG}/${SEG}/${SEG}$`),
      handler: ([t, a, e]) => write(200, () => producer.delete(t!, a!, e!)),
    },
    {
      method: 'PUT',
      pattern: new RegExp(`^/policy/${SEG}$`),
      handler: ([t], b) => [200, { tenant_id: t, policy: producer.setPolicy(t!, b) }],
    },
    {
      method: 'POST',
      pattern: /^\/backfill$/,
      handler: async (_p, b, req) => {
        const actor = req.headers['x-continuum-actor'];
        const result = await producer.backfill(b, typeof actor === 'string' && actor ? actor : undefined);
        return result.ok
          ? [200, result.report]
          : [
              400,
              {
                error: { code: 'INVALID_BACKFILL', message: 'bad backfill parameters' },
                errors: result.errors,
              },
            ];
      },
    },
    {
      method: 'POST',
      pattern: /^\/bus\/disconnect$/,
      handler: async () => (await producer.bus.disconnect(), [200, { bus: producer.bus.state }]),
    },
    {
      method: 'POST',
      pattern: /^\/bus\/connect$/,
      handler: () => (producer.bus.connect(), [200, { bus: producer.bus.state }]),
    },
    {
      method: 'POST',
      pattern: /^\/export\/wait$/,
      handler: async (_p, b) => {
        const timeout = Number(obj(b).timeout_ms ?? 10_000);
        const idle = await producer.exporter.waitIdle(
          Number.isFinite(timeout) ? Math.min(timeout, 120_000) : 10_000,
        );
        return [200, { idle, ...producer.status() }];
      },
    },
  ];

  const server = http.createServer((req, res) => {
    void handle(req, res);
  });
  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const send = (status: number, payload: unknown): void => {
      const text = JSON.stringify(payload);
      res.writeHead(status, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(text),
      });
      res.end(text);
    };
    try {
      const path = new URL(req.url ?? '/', 'http://driver').pathname;
      const matching = routes.filter((r) => r.pattern.test(path));
      const route = matching.find((r) => r.method === req.method);
      if (!route) {
        send(matching.length ? 405 : 404, {
          error: {
            code: matching.length ? 'METHOD_NOT_ALLOWED' : 'NOT_FOUND',
            message: `${req.method} ${path}`,
          },
        });
        return;
      }
      const params = route.pattern.exec(path)!.slice(1).map(decodeURIComponent);
      const body = await readJson(req);
      const [status, payload] = await route.handler(params, body, req);
      send(status, payload);
    } catch (error) {
      const [status, code] = classify(error);
      send(status, { error: { code, message: error instanceof Error ? error.message : String(error) } });
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

class BodyError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function classify(error: unknown): [number, string] {
  if (error instanceof BodyError) return [error.status, error.code];
  if (error instanceof ProducerError) {
    if (error.code === 'NOT_FOUND') return [404, error.code];
    if (error.code === 'AUDIT_UNAVAILABLE') return [503, error.code];
    return [400, error.code];
  }
  return [500, 'INTERNAL'];
}

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES)
      throw new BodyError(413, 'BODY_TOO_LARGE', `request body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  if (size === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new BodyError(400, 'INVALID_JSON', 'request body is not JSON');
  }
}
