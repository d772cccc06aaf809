import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { episodeSubject } from '../../harness/producer/contract.js';
import {
  startDriverServer,
  type DriverServer,
  type ReferenceProducer,
} from '../../harness/producer/index.js';
import { readSubject, startNatsFixture, type NatsFixture } from './nats-fixture.js';
import { driverSchema } from './openapi-validator.js';
import { randomId, startProducer, removeTempDbs } from './producer-fixture.js';

let nats: NatsFixture;
let nc: NatsConnection;
let producer: ReferenceProducer;
let driver: DriverServer;
const schemas = {
  write: driverSchema('WriteResponse'),
  status: driverSchema('Status'),
  report: driverSchema('BackfillReport'),
  error: driverSchema('Error'),
};

beforeAll(async () => {
  nats = await startNatsFixture();
  nc = await connect({ servers: nats.url });
  producer = startProducer(nats.url);
  driver = await startDriverServer(producer);
});
afterAll(async () => {
  await driver.close();
  await producer.stop();
  await nc.close();
  await nats.dispose();
  removeTempDbs();
});

async function call(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(driver.url + path, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const json = (await res.json()) as Record<string, unknown>;
  const schema = res.status >= 400 ? schemas.error : undefined;
  if (schema) expect(schema(json), JSON.stringify(schema.errors)).toBe(true);
  return { status: res.status, json };
}

describe('driver protocol (driver/openapi.yaml) on the reference producer', () => {
  it('drives writes, policy, bus outage and backfill; responses match the protocol', async () => {
    const [t, a] = [randomId('t'), randomId('a')];
    expect(await call('GET', '/health')).toEqual({ status: 200, json: { ok: true } });
    expect(
      (await call('PUT', `/policy/${t}`, { allow_sensitive: false, redact_patterns: ['secret-\\d+'] }))
        .status,
    ).toBe(200);

    const created = await call('POST', '/episodes', {
      tenant_id: t,
      agent_id: a,
      body: 'BODY-ONE',
      summary: 'has secret-42',
      tags: ['x'],
      metadata: {},
    });
    expect(created.status).toBe(201);
    expect(schemas.write(created.json), JSON.stringify(schemas.write.errors)).toBe(true);
    const e = created.json.episode_id as string;
    const hidden = await call('POST', '/episodes', {
      tenant_id: t,
      agent_id: a,
      body: 'BODY-TWO',
      tags: [],
      metadata: {},
      sensitive: true,
    });
    const updated = await call('PUT', `/episodes/${t}/${a}/${e}`, { tags: ['x', 'y'] });
    const summarized = await call('POST', `/episodes/${t}/${a}/${e}/summarize`, { summary: 'ok' });
    for (const r of [hidden, updated, summarized]) expect(schemas.write(r.json)).toBe(true);

    expect((await call('POST', `/bus/disconnect`)).json).toEqual({ bus: 'disconnected' });
    const deleted = await call('DELETE', `/episodes/${t}/${a}/${e}`);
    expect(deleted).toMatchObject({ status: 200, json: { bus: 'disconnected' } });
    const status = await call('GET', '/status');
    expect(schemas.status(status.json), JSON.stringify(schemas.status.errors)).toBe(true);
    expect(status.json).toMatchObject({ bus: 'disconnected', local_write: { bus_down: { count: 1 } } });
    expect(status.json.pending).toBeGreaterThanOrEqual(1);

    expect((await call('POST', '/bus/connect')).status).toBe(200);
    const waited = await call('POST', '/export/wait', { timeout_ms: 20_000 });
    expect(waited.json).toMatchObject({ idle: true, pending: 0, bus: 'connected', counters: { blocked: 1 } });

    const events = (await readSubject(nc, 'CONTINUUM_EPISODES', episodeSubject(t, a))).map((m) =>
      m.json<Record<string, unknown>>(),
    );
    const ids = [created, updated, summarized, deleted].map((r) => r.json.event_id);
    expect(events.map((ev) => ev.event_id).sort()).toEqual([...ids].sort());
    const wire = JSON.stringify(events);
    expect(wire).not.toContain('BODY-ONE');
    expect(wire).not.toContain('secret-42');
    expect(wire).toContain('has [REDACTED]');

    const report = await call(
      'POST',
      '/backfill',
      { from_ts: '2020-01-01T00:00:00Z', to_ts: '2100-01-01T00:00:00Z', tenant_id: t, dry_run: true },
      { 'x-continuum-actor': 'kit' },
    );
    expect(schemas.report(report.json), JSON.stringify(schemas.report.errors)).toBe(true);
    expect(report.json).toMatchObject({
      matched: 5,
      to_publish: 4,
      blocked: 1,
      published: 0,
      outcome: 'dry_run',
    });
    expect(producer.audit.list().at(-1)).toMatchObject({ actor: 'kit', outcome: 'dry_run', tenant_id: t });
  });

  it('answers bad requests with typed errors', async () => {
    const t = randomId('t');
    const bad = await call('POST', '/backfill', {
      from_ts: '2026-01-02T00:00:00Z',
      to_ts: '2026-01-01T00:00:00Z',
      dry_run: 'yes',
    });
    expect(bad.status).toBe(400);
    expect((bad.json.errors as { path: string }[]).map((v) => v.path).sort()).toEqual(['/dry_run']);
    expect(
      (await call('POST', '/episodes', { tenant_id: 'Bad.Tenant', agent_id: 'a', body: 'b' })).json,
    ).toMatchObject({ error: { code: 'INVALID_INPUT' } });
    expect((await call('POST', '/episodes', '{not json')).json).toMatchObject({
      error: { code: 'INVALID_JSON' },
    });
    expect(
      (await call('PUT', `/policy/${t}`, { allow_sensitive: true, redact_patterns: ['('] })).json,
    ).toMatchObject({ error: { code: 'INVALID_POLICY' } });
    expect((await call('PUT', `/policy/${t}`, { allow_sensitive: 'yes' })).status).toBe(400);
    expect((await call('DELETE', `/episodes/${t}/a/01JD3ZTZ0000000000000000AB`)).status).toBe(404);
    expect((await call('GET', '/nowhere')).status).toBe(404);
    expect((await call('GET', '/episodes')).status).toBe(405);
  });
});
