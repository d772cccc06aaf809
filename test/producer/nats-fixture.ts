import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { jetstream, jetstreamManager, StorageType, type JsMsg } from '@nats-io/jetstream';
import { connect, nanos, type NatsConnection } from '@nats-io/transport-node';

/** A nats-server of this test file's own, on a free port, restartable with its store intact. */
export interface NatsFixture {
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  dispose(): Promise<void>;
}

export async function startNatsFixture(): Promise<NatsFixture> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ck-producer-nats-'));
  let child: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    child = spawn('nats-server', ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', dir], {
      stdio: 'ignore',
    });
    await waitForPort(port);
  };
  const stop = async (): Promise<void> => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGTERM');
    });
  };
  await start();
  const url = `nats://127.0.0.1:${port}`;
  await ensureStreams(url);
  return {
    url,
    start,
    stop,
    dispose: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The contract's two streams (asyncapi.yaml x-streams), created if missing. */
export async function ensureStreams(url: string): Promise<void> {
  const nc = await connect({ servers: url });
  const jsm = await jetstreamManager(nc);
  const streams = [
    { name: 'CONTINUUM_EPISODES', subjects: ['continuum.episode.v1.*.*'], max_msg_size: 65536 },
    { name: 'CONTINUUM_EPISODES_DLQ', subjects: ['continuum.episode.dlq.v1.*.*'], max_msg_size: 196608 },
  ];
  for (const s of streams) {
    await jsm.streams
      .add({ ...s, storage: StorageType.File, duplicate_window: nanos(120_000) })
      .catch(async (error: unknown) => {
        if (!String(error).includes('already in use')) throw error;
      });
  }
  await nc.close();
}

/** Every message stored on `subject` in `stream`, in stream order. */
export async function readSubject(nc: NatsConnection, stream: string, subject: string): Promise<JsMsg[]> {
  const js = jetstream(nc);
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(stream, { subjects_filter: subject });
  const expected = info.state.subjects?.[subject] ?? 0;
  if (expected === 0) return [];
  const consumer = await js.consumers.get(stream, { filter_subjects: subject });
  const out: JsMsg[] = [];
  while (out.length < expected) {
    const batch = await consumer.fetch({ max_messages: expected - out.length, expires: 2000 });
    for await (const m of batch) out.push(m);
  }
  return out;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nats-server did not listen on ${port} within 10 s`);
}
