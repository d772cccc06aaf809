import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ReferenceProducer, type ReferenceProducerOptions } from '../../harness/producer/index.js';

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
