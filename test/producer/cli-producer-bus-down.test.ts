import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNatsFixture, type NatsFixture } from './nats-fixture.js';
import { countOnBus, randomId, removeTempDbs, startCliProducer, tempDbPath } from './producer-fixture.js';

let nats: NatsFixture;

beforeAll(async () => {
  // Streams provisioned, then the bus taken away: the producer starts without it.
  nats = await startNatsFixture();
  await nats.stop();
});
afterAll(async () => {
  await nats.dispose();
  removeTempDbs();
});

const start = (args: string[]) => startCliProducer(nats.url, [...args]);

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('continuum-kit ref producer with the bus down', () => {
  it('starts, accepts local writes, says so, and exports them once the bus comes back', async () => {
    const [t, a] = [randomId('t'), randomId('a')];
    const p = start(['--driver-port', '0', '--db', tempDbPath(), '--log-level', 'warn']);
    try {
      const started = JSON.parse((await p.lines.next()).value as string) as { driver: string; bus: string };
      expect(started.bus).not.toBe('connected');
      expect(p.stderr()).toMatch(/not reachable at .*started anyway: local writes are accepted/);
      for (let i = 0; i < 5; i++) {
        const res = await fetch(`${started.driver}/episodes`, {
          method: 'POST',
          body: JSON.stringify({ tenant_id: t, agent_id: a, body: 'b', tags: [], metadata: { i } }),
        });
        expect(res.status).toBe(201);
        expect(((await res.json()) as { bus: string }).bus).not.toBe('connected');
      }
      await nats.start();
      await until(
        () => /bus connected at .*exporting \d+ pending local writes/.test(p.stderr()),
        'the console',
      );
      await until(async () => (await countOnBus(nats.url, t, a)) === 5, 'the five writes on the bus');
      p.kill('SIGTERM');
      expect(await p.exit).toBe(0);
    } finally {
      p.kill('SIGKILL');
      await nats.stop();
    }
  });

  it('--tenant-id Acme.Corp is a usage error: exit 2 at once, nothing started', async () => {
    const p = start(['--demo', '1', '--tenant-id', 'Acme.Corp']);
    expect(await p.exit).toBe(2);
    expect(p.stderr()).toMatch(/'Acme\.Corp' is not a contract id/);
  });
});
