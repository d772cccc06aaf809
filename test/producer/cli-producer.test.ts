import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNatsFixture, type NatsFixture } from './nats-fixture.js';
import { countOnBus, randomId, removeTempDbs, startCliProducer, tempDbPath } from './producer-fixture.js';

let nats: NatsFixture;

beforeAll(async () => {
  nats = await startNatsFixture();
});
afterAll(async () => {
  await nats.dispose();
  removeTempDbs();
});

const start = (args: string[]) => startCliProducer(nats.url, ['--log-level', 'warn', ...args]);

describe('continuum-kit ref producer', () => {
  it('--demo N writes the mix, exits 0 once all is exported', async () => {
    const t = randomId('t');
    const p = start(['--demo', '20', '--tenant-id', t, '--agent-id', 'demo-agent']);
    const summary = JSON.parse((await p.lines.next()).value as string) as Record<string, unknown>;
    expect(await p.exit).toBe(0);
    expect(summary).toMatchObject({
      event: 'demo',
      exported: true,
      writes: 40,
      counters: { published: 37, blocked: 3 },
    });
    expect(await countOnBus(nats.url, t, 'demo-agent')).toBe(37);
  });

  it('serves the driver, and on SIGTERM persists the cursor and exits 0', async () => {
    const [t, a] = [randomId('t'), randomId('a')];
    const dbPath = tempDbPath();
    const p = start(['--driver-port', '0', '--db', dbPath]);
    const started = JSON.parse((await p.lines.next()).value as string) as { driver: string };
    for (let i = 0; i < 10; i++) {
      const res = await fetch(`${started.driver}/episodes`, {
        method: 'POST',
        body: JSON.stringify({ tenant_id: t, agent_id: a, body: 'b', tags: [], metadata: { i } }),
      });
      expect(res.status).toBe(201);
    }
    const waited = (await (
      await fetch(`${started.driver}/export/wait`, { method: 'POST', body: '{"timeout_ms":20000}' })
    ).json()) as { idle: boolean; cursor: number };
    expect(waited.idle).toBe(true);
    p.kill('SIGTERM');
    const stopped = JSON.parse((await p.lines.next()).value as string) as Record<string, unknown>;
    expect(await p.exit).toBe(0);
    expect(stopped).toEqual({ event: 'stopped', cursor: waited.cursor });
    expect(await countOnBus(nats.url, t, a)).toBe(10);
  });
});
