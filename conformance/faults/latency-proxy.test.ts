import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startLatencyProxy, type LatencyProxy } from './latency-proxy.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

async function echoServer(): Promise<number> {
  const server = net.createServer((s) => s.pipe(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise((r) => server.close(() => r())));
  return (server.address() as net.AddressInfo).port;
}

function roundTrip(proxy: LatencyProxy, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(proxy.port, '127.0.0.1', () => s.write(text));
    let got = '';
    s.on('data', (d) => {
      got += d.toString();
      if (got.length >= text.length) {
        s.destroy();
        resolve(got);
      }
    });
    s.on('error', reject);
    s.on('close', () => resolve(got));
  });
}

describe('latency proxy', () => {
  it('forwards bytes in order, with latency set, and refuses connections while cut', async () => {
    const proxy = await startLatencyProxy(`nats://127.0.0.1:${await echoServer()}`);
    closers.push(() => proxy.close());
    expect(proxy.url).toBe(`nats://127.0.0.1:${proxy.port}`);
    expect(await roundTrip(proxy, 'hello')).toBe('hello');
    proxy.latencyMs = 20;
    expect(await roundTrip(proxy, 'ordered bytes')).toBe('ordered bytes');
    proxy.cut();
    expect(proxy.cutOff).toBe(true);
    expect(await roundTrip(proxy, 'x')).toBe('');
    proxy.restore();
    expect(await roundTrip(proxy, 'back')).toBe('back');
  });
});
