import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

// Runs in the worker (plain CommonJS, so it needs no TypeScript loader).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.modulePath);
const db = new Database(workerData.dbPath);
db.pragma('busy_timeout = 50');
let n = 0;
const timer = setInterval(() => {
  try {
    // PASSIVE copies frames without taking the write lock; RESTART then, with little left to
    // copy, briefly holds it so the next commit starts the WAL over instead of appending forever.
    // RESTART runs after a PASSIVE, not instead of one: whatever it copies, it copies and fsyncs
    // under the write lock, and local writes wait (SQLite's busy backoff rounds the wait up).
    let r = db.pragma('wal_checkpoint(PASSIVE)');
    if (++n % workerData.restartEvery === 0) r = db.pragma('wal_checkpoint(RESTART)');
    if (workerData.debug) parentPort.postMessage(r);
  } catch (e) {
    if (workerData.debug) parentPort.postMessage(String(e));
  }
}, workerData.intervalMs);
parentPort.on('message', () => { clearInterval(timer); db.close(); parentPort.close(); });
`;

/**
 * Moves SQLite's WAL checkpoints off the write path. An automatic checkpoint runs inside the
 * commit that crosses the threshold and fsyncs: a few milliseconds on the event loop, which was
 * the whole local-write p99. The store turns auto-checkpointing off and this worker thread
 * checkpoints its own connection to the same file instead.
 */
export class WalCheckpointer {
  private readonly worker: Worker;

  constructor(dbPath: string, intervalMs = 200, restartEvery = 5) {
    const modulePath = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { dbPath, modulePath, intervalMs, restartEvery, debug: false },
    });
    this.worker.unref();
  }

  /** Stops the worker and waits for it to close its connection. */
  async stop(): Promise<void> {
    this.worker.ref(); // keep the process alive until the worker has closed its connection
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.postMessage('stop');
    await exited;
  }
}
