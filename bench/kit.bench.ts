import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import { Redis } from 'ioredis';
import pg from 'pg';
import { monotonicFactory } from 'ulid';
import { brokerMsgId, episodeSubject } from 'continuum-contract';
import { ensureProjectorTopology } from '../harness/projector/ensure-topology.js';
import { Projector } from '../harness/projector/projector.js';
import { connectNats, startServices } from '../harness/services/index.js';
import type { Services } from '../harness/services/index.js';
import { FIXTURE_EXPECTATIONS, FIXTURE_FOCUS } from '../conformance/fixtures/fixture-rules.js';
import type { FixtureRule } from '../conformance/fixtures/fixture-rules.js';
import type { ConformanceReport } from '../conformance/report/conformance-report.js';
import type { BenchResult } from './bench-result.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const SEED = 7;
const RAW_EVENTS = 10_000;
/** Fixtures whose defect needs more than the default deployment to show. */
const FIXTURE_FLAGS: Partial<Record<FixtureRule, string[]>> = {
  'racy-guard': ['--projector-instances', '2'],
};
const nextId = monotonicFactory();

interface KitRun {
  code: number | null;
  wallMs: number;
  report: ConformanceReport | undefined;
}

/** The machine's PostgreSQL (a fresh database) and Redis, and a nats-server of the bench's own. */
const SERVICES = {
  pg: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  valkey: process.env.VALKEY_URL ?? 'redis://127.0.0.1:6379',
  sources: ['flag', 'binary'],
  freshDatabase: true,
} as const;

/** The CLI as a user runs it: built, default flags, a fixed seed, its own report directory. */
async function runKit(args: string[]): Promise<KitRun> {
  const out = mkdtempSync(path.join(os.tmpdir(), 'ck-bench-kit-'));
  const argv = [path.join(ROOT, 'dist/cli/main.js'), 'conformance', 'run'];
  const started = performance.now();
  const child = spawn(process.execPath, [...argv, '--seed', String(SEED), '--out', out, ...args], {
    cwd: ROOT,
    stdio: 'ignore',
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const wallMs = performance.now() - started;
  try {
    return { code, wallMs, report: JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')) };
  } catch {
    return { code, wallMs, report: undefined };
  }
}

/** The reference projector's own rate on a JetStream backlog (decode, SQL, cache, ack). */
async function rawProjectorRate(): Promise<number> {
  await using services = await startServices({ ...SERVICES, sources: [...SERVICES.sources] });
  const nc = await connectNats(services.natsUrl, services.natsConnect);
  const pool = new pg.Pool({ connectionString: services.pgUrl, max: 4 });
  pool.on('error', () => undefined);
  const redis = new Redis(services.valkeyUrl);
  try {
    await ensureProjectorTopology(nc, pool);
    const js = jetstream(nc);
    const tenant = `benchkit${Date.now() % 100000}`;
    for (let i = 0; i < RAW_EVENTS; i += 1000) {
      await Promise.all(
        Array.from({ length: Math.min(1000, RAW_EVENTS - i) }, (_, k) => {
          const id = nextId();
          const episode = `01JD3ZTZ0000000000${String((i + k) % 2000).padStart(8, '0')}`;
          const event = {
            event_id: id,
            event_type: 'episode.updated',
            tenant_id: tenant,
            agent_id: 'bench',
            episode_id: episode,
            source_ts: new Date().toISOString(),
            schema_version: 1,
            payload: { content_ref: `continuum://${tenant}/episodes/${episode}`, tags: [], metadata: {} },
          };
          return js.publish(episodeSubject(tenant, 'bench'), JSON.stringify(event), {
            msgID: brokerMsgId(tenant, 'bench', id),
          });
        }),
      );
    }
    const projector = new Projector({ nc, pool, redis, batchSize: 500 });
    const t0 = performance.now();
    await projector.start();
    while (
      (await projector.metrics.count('projected')) + (await projector.metrics.count('stale')) <
      RAW_EVENTS
    )
      await new Promise((r) => setTimeout(r, 20));
    const rate = RAW_EVENTS / ((performance.now() - t0) / 1000);
    await projector.stop();
    return rate;
  } finally {
    await nc.close();
    await pool.end();
    redis.disconnect();
  }
}

/**
 * The fixtures' database (fresh) and Valkey. NATS is the kit's own, as in a run with default
 * flags: it starts a nats-server and shortens ack_wait for its kill -9 runs.
 */
async function fixtureEnv(): Promise<Services> {
  return startServices({ ...SERVICES, sources: [...SERVICES.sources] });
}

function fixtureCmd(rule: FixtureRule): string {
  return `${process.execPath} ${path.join(ROOT, 'dist/conformance/fixtures/broken-projector.js')} --break ${rule}`;
}

/**
 * The kit engine: events checked per second by the main job against the reference, beside the
 * reference projector's own rate measured in the same bench run; then, for every broken fixture
 * with default flags, the time to a verdict and the size of the counterexample.
 * `KIT_BENCH_FIXTURES=no-dedup,guard-lte` limits the fixtures; `KIT_BENCH_FOCUS=1` runs each
 * fixture on its rule's property only; `KIT_BENCH_SKIP_MAIN=1` skips the main job.
 */
export async function benchKit(): Promise<BenchResult[]> {
  // The installed package runs dist/: build this checkout's, so the figures are of its code.
  execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });
  const focus = process.env.KIT_BENCH_FOCUS === '1';
  const main =
    process.env.KIT_BENCH_SKIP_MAIN === '1'
      ? { code: null, wallMs: 0, report: undefined }
      : await runKit(['--target', 'reference']);
  const events = main.report?.throughput.events ?? 0;
  const kitRate = events / Math.max(0.001, (main.report?.durationMs ?? main.wallMs) / 1000);
  // The projector properties alone, without the producer's driver round trips and start-up checks.
  const projectorSide = (main.report?.properties ?? []).filter(
    (p) => !['producer', 'producer-bus-down-start', 'stale-log'].includes(p.name),
  );
  const projectorSideRate =
    projectorSide.reduce((n, p) => n + p.events, 0) /
    Math.max(0.001, projectorSide.reduce((ms, p) => ms + p.durationMs, 0) / 1000);
  const rawRate = await rawProjectorRate();
  const results: BenchResult[] = [
    {
      name: 'main job: events checked per second against the reference',
      value: Math.round(kitRate),
      unit: 'events/s',
      target: '>= 1000',
      pass: kitRate >= 1000 && main.report?.conformant === true,
      detail: {
        events,
        run_s: Number(((main.report?.durationMs ?? 0) / 1000).toFixed(1)),
        projector_properties_events_per_s: Math.round(projectorSideRate),
        wall_s: Number((main.wallMs / 1000).toFixed(1)),
        conformant: String(main.report?.conformant),
        exit: String(main.code),
      },
    },
    {
      name: 'main job rate / reference projector raw rate (same bench run)',
      value: Number((kitRate / rawRate).toFixed(3)),
      unit: 'ratio',
      detail: { raw_projector_events_per_s: Math.round(rawRate), backlog_events: RAW_EVENTS },
    },
  ];
  const only = process.env.KIT_BENCH_FIXTURES?.split(',');
  const env = await fixtureEnv();
  try {
    for (const [rule, expected] of Object.entries(FIXTURE_EXPECTATIONS) as [
      FixtureRule,
      readonly string[],
    ][]) {
      if (only !== undefined && !only.includes(rule)) continue;
      const run = await runKit([
        '--target',
        'projector',
        '--pg',
        env.pgUrl,
        '--valkey',
        env.valkeyUrl,
        '--projector-cmd',
        fixtureCmd(rule),
        ...(FIXTURE_FLAGS[rule] ?? []),
        ...(focus ? ['--property', FIXTURE_FOCUS[rule]] : []),
      ]);
      const failed = run.report?.properties.filter((p) => p.status === 'failed') ?? [];
      const clausesOf = (p: (typeof failed)[number]): string[] => [
        ...p.violations.map((v) => v.clauseId),
        ...Object.keys(p.failures ?? {}),
      ];
      const named = [...new Set(failed.flatMap(clausesOf))];
      const right = failed.find((p) => clausesOf(p).some((c) => (expected as readonly string[]).includes(c)));
      const size = right?.counterexample?.schedule.steps.filter((s) => s.op === 'publish').length ?? -1;
      results.push({
        name: `--break ${rule}${focus ? ` (--property ${FIXTURE_FOCUS[rule]})` : ''}: time to verdict (exit 1 naming ${expected.join(' or ')})`,
        value: Number((run.wallMs / 1000).toFixed(1)),
        unit: 's',
        target: '<= 60, counterexample <= 5 messages',
        pass: run.code === 1 && right !== undefined && run.wallMs <= 60_000 && size >= 0 && size <= 5,
        detail: {
          exit: String(run.code),
          named: named.join(' '),
          property: right?.name ?? '',
          property_s: Number(((right?.durationMs ?? 0) / 1000).toFixed(1)),
          counterexample_messages: size,
          shrink_steps: (right?.executions ?? 0) - (right?.runs ?? 0),
          messages_before_minimising: right?.minimised?.before.messages ?? -1,
          minimiser_executions: right?.minimised?.executions ?? -1,
        },
      });
    }
  } finally {
    await env.stop();
  }
  return results;
}
