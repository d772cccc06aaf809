import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { episodeSubject } from '../../harness/producer/contract.js';
import { readSubject, startNatsFixture, type NatsFixture } from './nats-fixture.js';
import { randomId, tempDbPath, removeTempDbs } from './producer-fixture.js';

const SERVICES = [
  '--pg',
  process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  '--valkey',
  process.env.VALKEY_URL ?? 'redis://127.0.0.1:6379',
];
let nats: NatsFixture;

beforeAll(async () => {
  nats = await startNatsFixture();
});
afterAll(async () => {
  await nats.dispose();
  removeTempDbs();
});

function start(args: string[]): {
  lines: AsyncIterator<string>;
  exit: Promise<number | null>;
  kill: (s: NodeJS.Signals) => void;
} {
  // node itself, not npx: a signal sent to npx is not passed on to the command it runs.
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'cli/main.ts',
      'ref',
      'producer',
      '--nats',
      nats.url,
      ...SERVICES,
      '--log-level',
      'warn',
      ...args,
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    lines: createInterface({ input: child.stdout })[Symbol.asyncIterator](),
    exit,
    kill: (s) => child.kill(s),
  };
}

async function countOnBus(t: string, a: string): Promise<number> {
  const nc = await connect({ servers: nats.url });
  try {
    return (await readSubject(nc, 'CONTINUUM_EPISODES', episodeSubject(t, a))).length;
  } finally {
    await nc.close();
  }
}

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
    expect(await countOnBus(t, 'demo-agent')).toBe(37);
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
    expect(await countOnBus(t, a)).toBe(10);
  });
});
