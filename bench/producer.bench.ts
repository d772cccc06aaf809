import { rmSync } from 'node:fs';
import path from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { BenchResult } from './bench-result.js';
import { ReferenceProducer } from '../harness/producer/index.js';
import { LatencyStats } from '../harness/producer/latency-stats.js';
import { startNatsFixture, type NatsFixture } from '../test/producer/nats-fixture.js';
import { tempDbPath } from '../test/producer/producer-fixture.js';

const RATE_PER_S = 2000;
const TICK_MS = 2;
const PUBLISH_PHASE_MS = 10_000;
const ROUND_MS = 1000;
const ROUNDS = 8;
const SETTLE_MS = 300;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Bare js.publish at RATE_PER_S on the same server, with nothing else in the process: the floor
 * this machine sets for publish latency, so the producer's p99 reads against it in the same run.
 */
async function barePublishFloor(url: string, ms: number): Promise<LatencyStats> {
  const nc = await connect({ servers: url });
  const js = jetstream(nc);
  const stats = new LatencyStats();
  const body = new TextEncoder().encode(JSON.stringify({ summary: 's'.repeat(380) }));
  const perTick = Math.round((RATE_PER_S * TICK_MS) / 1000);
  const pending: Promise<void>[] = [];
  const start = performance.now();
  let n = 0;
  for (let tick = 0; performance.now() - start < ms; tick++) {
    for (let i = 0; i < perTick; i++) {
      const t0 = performance.now();
      const sent = js.publish(`continuum.episode.v1.bench-bare.a${i}`, body, { msgID: `bench-bare:${n++}` });
      pending.push(sent.then(() => stats.record((performance.now() - t0) * 1000)));
    }
    await sleep(Math.max(0, start + (tick + 1) * TICK_MS - performance.now()));
  }
  await Promise.all(pending);
  await nc.close();
  return stats;
}

/**
 * Writes at RATE_PER_S for `ms`, in bursts every TICK_MS, timing each local write from the caller.
 * `writtenAt`, when given, gets each write's start time by seq (for write -> ack latency).
 */
async function writeAtRate(
  p: ReferenceProducer,
  tenant: string,
  ms: number,
  stats: LatencyStats[],
  writtenAt?: Map<number, number>,
): Promise<number> {
  const perTick = Math.round((RATE_PER_S * TICK_MS) / 1000);
  const start = performance.now();
  let written = 0;
  for (let tick = 0; performance.now() - start < ms; tick++) {
    for (let i = 0; i < perTick; i++) {
      const t0 = performance.now();
      const { seq } = p.create({
        tenant_id: tenant,
        agent_id: `a${i % 4}`,
        body: `body ${written}`,
        summary: `s ${written}`,
        tags: ['bench'],
        metadata: { n: written },
      });
      const us = (performance.now() - t0) * 1000;
      for (const s of stats) s.record(us);
      writtenAt?.set(seq, t0);
      written++;
    }
    const next = start + (tick + 1) * TICK_MS;
    await sleep(Math.max(0, next - performance.now()));
  }
  return written;
}

/**
 * Publish p99 (publish call to JetStream ack) at a sustained rate against the contract's 20 ms
 * (CT-9.publish-p99), with write -> ack beside it as a detail (it adds the exporter's own wait),
 * beside bare js.publish on the same server (the machine's floor),
 * and local write p99 with the bus down vs up in the same run (CT-9.local-write-p99), on a
 * nats-server of its own. Rounds alternate up and down; after each down round the backlog
 * drains before the next up round, so "up" measures steady state, not catch-up.
 */
export async function benchProducer(): Promise<BenchResult[]> {
  const nats: NatsFixture = await startNatsFixture();
  const dbPath = tempDbPath();
  const publish = new LatencyStats();
  // Write -> ack also counts the time an entry waits in the exporter before its publish call.
  const writeToAck = new LatencyStats();
  const writtenAt = new Map<number, number>();
  let recordPublish = true;
  const p = new ReferenceProducer({
    dbPath,
    natsUrl: nats.url,
    retry: { initialMs: 20, maxMs: 200, timeoutMs: 2000 },
    onAck: (entry, ms) => {
      if (!recordPublish) return;
      publish.record(ms * 1000);
      const t0 = writtenAt.get(entry.seq);
      if (t0 === undefined) return;
      writeToAck.record((performance.now() - t0) * 1000);
      writtenAt.delete(entry.seq);
    },
  });
  p.start();
  try {
    await p.bus.ready(10_000);
    // Warm-up: JIT, SQLite pages, the stream's first blocks.
    await writeAtRate(p, 'bench-warm', 1000, []);
    await p.exporter.waitIdle(30_000);
    publish.reset();

    const published = await writeAtRate(p, 'bench-pub', PUBLISH_PHASE_MS, [], writtenAt);
    await p.exporter.waitIdle(30_000);
    recordPublish = false;
    const floor = (await barePublishFloor(nats.url, PUBLISH_PHASE_MS)).summary();

    const up = new LatencyStats();
    const down = new LatencyStats();
    const roundRatios: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const [roundUp, roundDown] = [new LatencyStats(), new LatencyStats()];
      await sleep(SETTLE_MS);
      await writeAtRate(p, 'bench-up', ROUND_MS, [roundUp, up]);
      await nats.stop();
      while (p.bus.state === 'connected') await sleep(5);
      await sleep(SETTLE_MS); // the same pause before both states: nats-server's exit I/O is not the producer's
      await writeAtRate(p, 'bench-down', ROUND_MS, [roundDown, down]);
      roundRatios.push(roundDown.percentile(99) / roundUp.percentile(99));
      await nats.start();
      await p.exporter.waitIdle(60_000);
    }
    roundRatios.sort((x, y) => x - y);
    const medianRoundRatio = (roundRatios[ROUNDS / 2 - 1]! + roundRatios[ROUNDS / 2]!) / 2;
    const pub = publish.summary();
    const e2e = writeToAck.summary();
    const upS = up.summary();
    const downS = down.summary();
    const ratio = downS.p99_us / upS.p99_us;
    return [
      {
        name: 'producer publish p99 (publish -> JetStream ack)',
        value: round2(pub.p99_us / 1000),
        unit: 'ms',
        target: '<= 2 (contract < 20)',
        pass: pub.p99_us / 1000 <= 2,
        detail: {
          rate_per_s: RATE_PER_S,
          events: published,
          acks: pub.count,
          p50_ms: round2(pub.p50_us / 1000),
          max_ms: round2(pub.max_us / 1000),
          contract_pass: String(pub.p99_us / 1000 < 20),
          write_to_ack_p50_ms: round2(e2e.p50_us / 1000),
          write_to_ack_p99_ms: round2(e2e.p99_us / 1000),
          bare_publish_p50_ms: round2(floor.p50_us / 1000),
          bare_publish_p99_ms: round2(floor.p99_us / 1000),
          p99_ratio_to_bare: round2(pub.p99_us / floor.p99_us),
        },
      },
      {
        name: 'producer local write p99, bus down / bus up',
        value: round2(ratio),
        unit: 'ratio',
        target: '<= 1.1',
        pass: ratio <= 1.1,
        detail: {
          rate_per_s: RATE_PER_S,
          rounds: ROUNDS,
          median_round_ratio: round2(medianRoundRatio),
          up_p99_us: upS.p99_us,
          down_p99_us: downS.p99_us,
          up_p50_us: upS.p50_us,
          down_p50_us: downS.p50_us,
          up_n: upS.count,
          down_n: downS.count,
        },
      },
    ];
  } finally {
    await p.stop(2000);
    await nats.dispose();
    rmSync(path.dirname(dbPath), { recursive: true, force: true });
  }
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
