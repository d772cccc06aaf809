import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTRACT, ProjectionModel, type EpisodeEvent } from 'continuum-contract';
import { durableConsumerConfig } from '../../harness/durable-consumer.js';
import { makeEvent, publishEvent, readRows, useProjectorFixture, waitUntil } from './projector-fixture.js';

const fx = useProjectorFixture();
const children: ChildProcess[] = [];
beforeAll(async () => {
  // Short ack wait so that what the killed process held comes back quickly.
  await fx.jsm.consumers.add(CONTRACT.streams.episodes.name, durableConsumerConfig({ ackWaitMs: 2000 }));
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

/** `continuum-kit ref projector` in a child process; resolves once it reports started. */
async function spawnProjector(): Promise<{
  child: ChildProcess;
  metricsUrl: string;
  exit: Promise<{ code: number | null; lines: string[] }>;
}> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'cli/main.ts',
      'ref',
      'projector',
      '--nats',
      fx.services.natsUrl,
      '--pg',
      fx.services.pgUrl,
      '--valkey',
      fx.services.valkeyUrl,
      '--metrics-port',
      '0',
      '--batch-size',
      '200',
      '--log-level',
      'warn',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  children.push(child);
  const lines: string[] = [];
  let started: () => void = () => undefined;
  const ready = new Promise<void>((r) => (started = r));
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (l) => {
    lines.push(l);
    if (l.includes('"started"')) started();
  });
  const exit = new Promise<{ code: number | null; lines: string[] }>((r) =>
    child.once('exit', (code) => r({ code, lines })),
  );
  await Promise.race([ready, exit]);
  const startLine = JSON.parse(lines.find((l) => l.includes('"started"')) ?? '{}') as { metrics?: string };
  return { child, exit, metricsUrl: startLine.metrics ?? '' };
}

async function countEvents(tenant: string): Promise<number> {
  const r = await fx.pool.query<{ n: string }>(
    'SELECT count(*) AS n FROM arqonbus_continuum_projection_events WHERE tenant_id = $1',
    [tenant],
  );
  return Number(r.rows[0]?.n ?? 0);
}

async function consumerIdle(): Promise<boolean> {
  const info = await fx.jsm.consumers.info(CONTRACT.streams.episodes.name, CONTRACT.consumer.durable_name);
  return info.num_pending === 0 && info.num_ack_pending === 0;
}

function workload(tenant: string, n: number): EpisodeEvent[] {
  return Array.from({ length: n }, (_, i) =>
    makeEvent({
      tenant_id: tenant,
      episode_id: `01JD3ZTZ00000000000000${String(i % 300).padStart(4, '0')}`,
      event_type: i % 97 === 0 ? 'episode.deleted' : 'episode.updated',
      source_ts: `2026-11-24T10:${String(Math.floor(((i * 7919) % 3600) / 60)).padStart(2, '0')}:${String((i * 7919) % 60).padStart(2, '0')}Z`,
    }),
  );
}

describe('projector process killed mid-batch, and SIGTERM', () => {
  it('SIGKILL mid-run then restart: nothing lost, nothing projected twice', async () => {
    const tenant = `${fx.tenant}k`;
    const events = workload(tenant, 12_000);
    await Promise.all(events.map((e) => publishEvent(fx.js, e)));

    const first = await spawnProjector();
    await waitUntil(
      async () => (await countEvents(tenant)) >= 1000,
      'the first projector to commit some batches',
    );
    first.child.kill('SIGKILL');
    await first.exit;
    const atKill = await countEvents(tenant);
    expect(atKill).toBeLessThan(events.length); // really mid-run

    const second = await spawnProjector();
    await waitUntil(
      async () => (await countEvents(tenant)) === events.length && (await consumerIdle()),
      'the restart to drain',
      60_000,
    );
    second.child.kill('SIGTERM');
    const { code, lines } = await second.exit;
    expect(code).toBe(0);
    // The restart applied exactly what the killed process had not committed; what it had
    // committed but not acked came back and was recognised as duplicates.
    const stopped = JSON.parse(lines.find((l) => l.includes('"stopped"')) ?? '{}') as Record<string, number>;
    expect((stopped.projected ?? 0) + (stopped.stale ?? 0)).toBe(events.length - atKill);

    const model = new ProjectionModel();
    for (const e of events) model.apply(e);
    expect(await readRows(fx.pool, tenant)).toEqual(model.rows());
    const outcomes = await fx.pool.query<{ outcome: string; n: string }>(
      'SELECT outcome, count(*) AS n FROM arqonbus_continuum_projection_events WHERE tenant_id = $1 GROUP BY outcome',
      [tenant],
    );
    const applied = Number(outcomes.rows.find((r) => r.outcome === 'applied')?.n ?? 0);
    const stale = Number(outcomes.rows.find((r) => r.outcome === 'stale')?.n ?? 0);
    // Every event recorded exactly once (outcomes depend on the order redeliveries arrived in).
    expect(applied + stale).toBe(events.length);
    expect(applied).toBeGreaterThan(0);
  });

  it('SIGTERM drains: what was committed was acked (no redelivery), the rest is projected by the next process', async () => {
    const tenant = `${fx.tenant}t`;
    const events = workload(tenant, 8000);
    await Promise.all(events.map((e) => publishEvent(fx.js, e)));
    const p = await spawnProjector();
    await waitUntil(async () => (await countEvents(tenant)) >= 500, 'some batches');
    const exposition = await (await fetch(p.metricsUrl)).text();
    expect(exposition).toMatch(/^continuum_projector_events_total\{outcome="projected"\} [1-9]/m);
    expect(exposition).toContain('continuum_projector_lag_seconds_bucket');
    expect(exposition).toContain('continuum_projector_dlq_total');
    p.child.kill('SIGTERM');
    const { code, lines } = await p.exit;
    expect(code).toBe(0);
    expect(lines.some((l) => l.includes('"stopped"'))).toBe(true);
    const committedAtStop = await countEvents(tenant);
    expect(committedAtStop).toBeLessThan(events.length);
    const again = await spawnProjector();
    await waitUntil(
      async () => (await countEvents(tenant)) === events.length && (await consumerIdle()),
      'the rest',
      60_000,
    );
    again.child.kill('SIGTERM');
    const second = await again.exit;
    expect(second.code).toBe(0);
    // Whatever the first process committed it also acked: nothing came back as a duplicate.
    const stopped = JSON.parse(second.lines.find((l) => l.includes('"stopped"')) ?? '{}') as Record<
      string,
      number
    >;
    expect(stopped.duplicate).toBe(0);
    expect((stopped.projected ?? 0) + (stopped.stale ?? 0)).toBe(events.length - committedAtStop);
    const model = new ProjectionModel();
    for (const e of events) model.apply(e);
    expect(await readRows(fx.pool, tenant)).toEqual(model.rows());
  });
});
