import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { headers } from '@nats-io/transport-node';
import type { JetStreamClient } from '@nats-io/jetstream';
import type pg from 'pg';
import { ulid } from 'ulid';
import type { FakeProducerBug } from '../../conformance/fixtures/producer-bugs.js';

interface Entry {
  event: Record<string, unknown>;
  sensitive: boolean;
}

/**
 * A tiny producer behind the driver protocol, correct unless given a bug: it proves the kit's
 * producer property can fail, clause by clause. Not a reference: just enough of driver/openapi.yaml.
 */
export async function startFakeProducer(
  js: JetStreamClient,
  db: pg.Pool,
  bug?: FakeProducerBug,
): Promise<{ url: string; close(): Promise<void> }> {
  const log: Entry[] = [];
  const pending: Entry[] = [];
  const episodes = new Map<
    string,
    {
      tenant: string;
      agent: string;
      body: string;
      summary: string;
      tags: string[];
      metadata: Record<string, unknown>;
      sensitive: boolean;
    }
  >();
  const patterns = new Map<string, RegExp[]>();
  let connected = true;
  let lastMs = 0;
  const publish = async (entry: Entry, replay = false): Promise<boolean> => {
    const e =
      bug === 'backfill-new-ids' && replay
        ? { ...entry, event: { ...entry.event, event_id: ulid() } }
        : entry;
    const ev = e.event as { tenant_id: string; agent_id: string; event_id: string };
    const h = headers();
    const msgId =
      bug === 'msg-id-without-tenant' ? ev.event_id : `${ev.tenant_id}:${ev.agent_id}:${ev.event_id}`;
    h.set('Nats-Msg-Id', bug === 'replay-new-msg-id' && replay ? `${msgId}:replay` : msgId);
    const subject =
      bug === 'agent-before-tenant'
        ? `continuum.episode.v1.${ev.agent_id}.${ev.tenant_id}`
        : `continuum.episode.v1.${ev.tenant_id}.${ev.agent_id}`;
    const ack = await js.publish(subject, JSON.stringify(e.event), { headers: h });
    return !ack.duplicate;
  };
  const exportEntry = async (e: Entry): Promise<void> => {
    if (e.sensitive && bug !== 'export-sensitive') return;
    if (connected) await publish(e);
    else pending.push(e);
  };
  const write = async (id: string, type: string): Promise<Record<string, unknown>> => {
    const ep = episodes.get(id);
    if (ep === undefined) throw new Error('no episode');
    const redact = (s: string): string =>
      (patterns.get(ep.tenant) ?? []).reduce((acc, re) => acc.replace(re, '[REDACTED]'), s);
    const metadata = Object.fromEntries(
      Object.entries(ep.metadata).map(([k, v]) => [k, typeof v === 'string' ? redact(v) : v]),
    );
    if (bug === 'leak-body') metadata.body = ep.body.slice(0, 200);
    const ms = Math.max(Date.now(), lastMs + 1);
    lastMs = ms;
    const ts = new Date(ms).toISOString();
    const event = {
      event_id: bug === 'uuid-event-id' ? randomUUID() : ulid(ms),
      event_type: type,
      tenant_id: ep.tenant,
      agent_id: ep.agent,
      episode_id: id,
      source_ts: bug === 'offset-source-ts' ? ts.replace('Z', '+00:00') : ts,
      schema_version: 1,
      ...(bug === 'unknown-top-level-field' ? { priority: 'high' } : {}),
      payload: {
        content_ref: `continuum://${ep.tenant}/episodes/${id}`,
        summary: redact(ep.summary),
        tags: ep.tags,
        metadata,
      },
    };
    const entry = { event, sensitive: ep.sensitive };
    log.push(entry);
    await exportEntry(entry);
    return {
      episode_id: id,
      event_id: event.event_id,
      source_ts: event.source_ts,
      local_write_us: 1,
      bus: connected ? 'connected' : 'disconnected',
    };
  };
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (d: Buffer) => (text += d.toString()));
    req.on('end', () => {
      void (async () => {
        const body = (text === '' ? {} : JSON.parse(text)) as Record<string, unknown>;
        const url = req.url ?? '';
        const send = (status: number, value: unknown): void => {
          res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
        };
        const m = /^\/episodes\/[^/]+\/[^/]+\/([0-9A-Z]{26})(\/summarize)?$/.exec(url);
        if (url === '/health') return send(200, { ok: true });
        if (url === '/status' || url === '/status/reset-latency')
          return send(200, {
            bus: connected ? 'connected' : 'disconnected',
            pending: pending.length,
            counters: { published: 0, blocked: 0, dlq: 0 },
            local_write: {
              bus_up: { count: 0, p50_us: 0, p99_us: 0, max_us: 0 },
              bus_down: { count: 0, p50_us: 0, p99_us: 0, max_us: 0 },
            },
          });
        if (url.startsWith('/policy/')) {
          patterns.set(
            url.slice(8),
            ((body.redact_patterns as string[] | undefined) ?? []).map((p) => new RegExp(p, 'g')),
          );
          return send(200, { tenant_id: url.slice(8), policy: body });
        }
        if (bug === 'block-while-down' && !connected && (url === '/episodes' || m !== null))
          return send(503, { error: { code: 'BUS_DOWN', message: 'the bus is away' } });
        if (url === '/episodes') {
          const id = ulid();
          episodes.set(id, {
            tenant: String(body.tenant_id),
            agent: String(body.agent_id),
            body: String(body.body),
            summary: String(body.summary ?? ''),
            tags: (body.tags as string[]) ?? [],
            metadata: (body.metadata as Record<string, unknown>) ?? {},
            sensitive: body.sensitive === true,
          });
          return send(201, await write(id, 'episode.created'));
        }
        if (m !== null) {
          const ep = episodes.get(m[1] as string);
          if (ep === undefined) return send(404, { error: { code: 'NOT_FOUND', message: 'no episode' } });
          if (req.method === 'DELETE') {
            const out = await write(m[1] as string, 'episode.deleted');
            episodes.delete(m[1] as string);
            return send(200, out);
          }
          Object.assign(
            ep,
            body.body === undefined ? {} : { body: body.body },
            body.summary === undefined ? {} : { summary: body.summary },
          );
          return send(
            200,
            await write(m[1] as string, m[2] === undefined ? 'episode.updated' : 'episode.summarized'),
          );
        }
        if (url === '/bus/disconnect') {
          connected = false;
          return send(200, { bus: 'disconnected' });
        }
        if (url === '/bus/connect') {
          connected = true;
          const queued = pending.splice(0);
          if (bug !== 'lose-while-down') for (const e of queued) await publish(e);
          return send(200, { bus: 'connected' });
        }
        if (url === '/export/wait')
          return send(200, {
            bus: 'connected',
            pending: 0,
            counters: { published: 0, blocked: 0, dlq: 0 },
            idle: true,
          });
        if (url === '/backfill') {
          const inRange = log.filter((e) => {
            const ev = e.event as { tenant_id: string; agent_id: string; source_ts: string };
            return (
              !e.sensitive &&
              (ev.source_ts >= String(body.from_ts) ||
                (bug === 'backfill-wrong-range' && body.dry_run !== true)) &&
              (ev.source_ts < String(body.to_ts) ||
                (bug === 'backfill-inclusive-end' && ev.source_ts === String(body.to_ts))) &&
              ev.tenant_id === body.tenant_id &&
              ev.agent_id === body.agent_id
            );
          });
          let published = 0;
          if (body.dry_run !== true) for (const e of inRange) if (await publish(e, true)) published++;
          if (body.dry_run === true && bug === 'dry-run-publishes')
            for (const e of inRange) await publish(e, true);
          if (bug !== 'no-audit')
            await db.query(
              `INSERT INTO arqonbus_continuum_audit (actor, action, tenant_id, agent_id, params, outcome) VALUES ('fake', 'backfill', $1, $2, $3, 'ok')`,
              [body.tenant_id, body.agent_id, JSON.stringify(body)],
            );
          return send(200, {
            dry_run: body.dry_run,
            request: body,
            matched: inRange.length,
            to_publish: inRange.length,
            published,
            duplicates: body.dry_run === true ? 0 : inRange.length - published,
            blocked: 0,
            dlq: 0,
            unsent: 0,
            first_event_ids: [],
            outcome: body.dry_run === true ? 'dry_run' : 'ok',
          });
        }
        return send(404, { error: { code: 'NOT_FOUND', message: url } });
      })().catch((error: unknown) => res.writeHead(500).end(String(error)));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
