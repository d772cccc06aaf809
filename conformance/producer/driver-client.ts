import { EnvironmentError } from '../runner/run-properties.js';

/** A driver answer: the HTTP status and the parsed JSON body. */
export interface DriverReply<T = Record<string, unknown>> {
  status: number;
  body: T;
}

/** Minimal client of the producer driver protocol (driver/openapi.yaml). */
export class DriverClient {
  constructor(private readonly baseUrl: string) {}

  async call<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<DriverReply<T>> {
    let res: Response;
    try {
      res = await fetch(new URL(path, this.baseUrl), {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(130_000),
      });
    } catch (error) {
      throw new EnvironmentError(`driver ${method} ${path} at ${this.baseUrl}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    const text = await res.text();
    let parsed: unknown = {};
    try {
      parsed = text === '' ? {} : JSON.parse(text);
    } catch {
      parsed = { raw: text };
    }
    return { status: res.status, body: parsed as T };
  }

  /** Waits until GET /health answers. */
  async ready(timeoutMs: number): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      try {
        const res = await fetch(new URL('/health', this.baseUrl), { signal: AbortSignal.timeout(1000) });
        if (res.ok) return true;
      } catch {
        // not up yet
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    return false;
  }
}
