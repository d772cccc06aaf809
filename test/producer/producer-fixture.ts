import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { connect } from '@nats-io/transport-node';
import { episodeSubject } from '../../harness/producer/contract.js';
import { ReferenceProducer, type ReferenceProducerOptions } from '../../harness/producer/index.js';
import { readSubject } from './nats-fixture.js';

/** Fresh random ids, so tests never see each other's subjects or keys. */
export function randomId(prefix: string): string {
  return `${prefix}-${Math.random().toString(36).slice(2, 10)}`;
}

// One temp dir per test file for every store; removeTempDbs() in afterAll deletes it.
const ROOT = mkdtempSync(path.join(os.tmpdir(), 'ck-producer-db-'));

/** Deletes every store tempDbPath() handed out in this process (call after the producers stopped). */
export function removeTempDbs(): void {
  rmSync(ROOT, { recursive: true, force: true });
}

/** A temp SQLite path for one producer (reuse it to simulate a restart). */
export function tempDbPath(): string {
  return path.join(mkdtempSync(path.join(ROOT, 'db-')), 'producer.sqlite');
}

/** A started reference producer on `natsUrl` with a fast retry schedule. */
export function startProducer(
  natsUrl: string,
  options: Partial<ReferenceProducerOptions> = {},
): ReferenceProducer {
  const producer = new ReferenceProducer({
    dbPath: options.dbPath ?? tempDbPath(),
    natsUrl,
    retry: { initialMs: 20, maxMs: 200, timeoutMs: 2000 },
    ...options,
  });
  producer.start();
  return producer;
}

/** The machine's PostgreSQL and Redis as `ref producer` flags. */
const CLI_SERVICES = [
  '--pg',
  process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  '--valkey',
  process.env.VALKEY_URL ?? 'redis://127.0.0.1:6379',
];

/** A running `continuum-kit ref producer` child: its stdout lines, its stderr so far, its exit. */
export interface CliProducer {
  lines: AsyncIterator<string>;
  stderr: () => string;
  exit: Promise<number | null>;
  kill: (signal: NodeJS.Signals) => void;
}

/** Starts `continuum-kit ref producer --nats URL ARGS` from source on the machine's services. */
export function startCliProducer(natsUrl: string, args: string[]): CliProducer {
  // node itself, not npx: a signal sent to npx is not passed on to the command it runs.
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'cli/main.ts', 'ref', 'producer', '--nats', natsUrl, ...CLI_SERVICES, ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return {
    lines: createInterface({ input: child.stdout })[Symbol.asyncIterator](),
    stderr: () => stderr,
    exit: new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code))),
    kill: (signal) => child.kill(signal),
  };
}

/** How many messages the episodes stream holds on the subject of tenant `t`, agent `a`. */
export async function countOnBus(natsUrl: string, t: string, a: string): Promise<number> {
  const nc = await connect({ servers: natsUrl });
  try {
    return (await readSubject(nc, 'CONTINUUM_EPISODES', episodeSubject(t, a))).length;
  } finally {
    await nc.close();
  }
}
