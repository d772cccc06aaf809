import type { JetStreamClient } from '@nats-io/jetstream';
import type pg from 'pg';
import { CONTRACT, PROJECTION_TABLES } from 'continuum-contract';
import { canonicalJson } from '../check/canonical-json.js';

const TS = `'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'`;

/** A tenant's projection rows and event records, as canonical strings (every column). */
export interface ProjectionSnapshot {
  rows: Map<string, string>;
  events: Map<string, string>;
}

/** Reads the tenant's rows (updated_at included) and dedup records (projected_at included). */
export async function projectionSnapshot(db: pg.Pool, tenant: string): Promise<ProjectionSnapshot> {
  const [rows, events] = await Promise.all([
    db.query<Record<string, unknown>>(
      `SELECT *, to_char(updated_at AT TIME ZONE 'UTC', ${TS}) AS updated_at,
              to_char(last_event_ts AT TIME ZONE 'UTC', ${TS}) AS last_event_ts
         FROM ${PROJECTION_TABLES.projection} WHERE tenant_id = $1`,
      [tenant],
    ),
    db.query<Record<string, unknown>>(
      `SELECT *, to_char(projected_at AT TIME ZONE 'UTC', ${TS}) AS projected_at
         FROM ${PROJECTION_TABLES.events} WHERE tenant_id = $1`,
      [tenant],
    ),
  ]);
  const keyed = (list: Record<string, unknown>[], id: string): Map<string, string> =>
    new Map(list.map((r) => [`${String(r.agent_id)}/${String(r[id])}`, canonicalJson(r)]));
  return { rows: keyed(rows.rows, 'episode_id'), events: keyed(events.rows, 'event_id') };
}

/** Differences between two snapshots, one line each. */
export function snapshotDiff(before: ProjectionSnapshot, after: ProjectionSnapshot): string[] {
  const out: string[] = [];
  for (const [what, a, b] of [
    ['row', before.rows, after.rows],
    ['event record', before.events, after.events],
  ] as const) {
    for (const [k, v] of b) {
      const old = a.get(k);
      if (old === undefined) out.push(`new ${what} ${k}: ${v.slice(0, 200)}`);
      else if (old !== v) out.push(`${what} ${k} changed: ${old.slice(0, 160)} -> ${v.slice(0, 160)}`);
    }
    for (const k of a.keys()) if (!b.has(k)) out.push(`${what} ${k} disappeared`);
  }
  return out;
}

/** Whether a projector is pulling from the contract's durable consumer (within `ms`). */
export async function projectorPresent(js: JetStreamClient, ms: number): Promise<boolean> {
  const jsm = await js.jetstreamManager();
  const until = Date.now() + ms;
  do {
    try {
      const info = await jsm.consumers.info(CONTRACT.streams.episodes.name, CONTRACT.consumer.durable_name);
      if (info.num_waiting > 0 || info.num_ack_pending > 0) return true;
    } catch {
      return false; // no durable consumer: no projector
    }
    await new Promise((r) => setTimeout(r, 100));
  } while (Date.now() < until);
  return false;
}

/** Waits until the durable consumer has nothing pending or unacked (the projector caught up). */
export async function projectorCaughtUp(js: JetStreamClient, ms: number): Promise<boolean> {
  const jsm = await js.jetstreamManager();
  const until = Date.now() + ms;
  do {
    const info = await jsm.consumers.info(CONTRACT.streams.episodes.name, CONTRACT.consumer.durable_name);
    if (info.num_pending === 0 && info.num_ack_pending === 0) return true;
    // Producer runs are serial and wait here twice each: a coarse poll would pace them.
    await new Promise((r) => setTimeout(r, 5));
  } while (Date.now() < until);
  return false;
}
