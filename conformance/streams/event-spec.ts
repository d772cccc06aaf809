import fc from 'fast-check';
import { decodeEpisodeEvent } from 'continuum-contract';
import { PAYLOAD_EDGES } from '../arbitraries/spec-edges.js';
import { AGENTS, TENANTS } from './bind-schedule.js';
import {
  collationTrapIds,
  eventId,
  instantPool,
  payloadParts,
  spellInstant,
  BODY_MARKER,
} from './event-parts.js';
import type { Instant, PayloadParts } from './event-parts.js';

export const EVENT_TYPES = [
  'episode.created',
  'episode.updated',
  'episode.summarized',
  'episode.deleted',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** One generated event, as indexes into the schedule's pools. */
export interface EventSpec {
  tenant: number;
  agent: number;
  episode: number;
  at: number;
  spelling: number;
  type: EventType;
  eventId: string;
  /** Index into the pool's collation-trap ids, used instead of `eventId`. */
  trapId?: number;
  /** Takes the row and instant of the previous event, and the partner of its trap id. */
  trapPartner?: boolean;
  /** Index of an earlier event whose event_id to reuse when it is under another tenant/agent. */
  reuseId?: number;
  payload: PayloadParts;
}

/** Pool sizes: small, so events collide on episodes and timestamps. */
export interface Pools {
  tenants: number;
  agents: number;
  episodes: number;
  instants: number;
  deleteWeight: number;
}

export function eventSpec(p: Pools): fc.Arbitrary<EventSpec> {
  return fc.record(
    {
      tenant: fc.nat(p.tenants - 1),
      agent: fc.nat(p.agents - 1),
      episode: fc.nat(p.episodes - 1),
      at: fc.nat(p.instants - 1),
      spelling: fc.nat(2),
      type: fc.oneof(
        {
          weight: 3,
          arbitrary: fc.constantFrom<EventType>('episode.created', 'episode.updated', 'episode.summarized'),
        },
        { weight: p.deleteWeight, arbitrary: fc.constant<EventType>('episode.deleted') },
      ),
      eventId: eventId(),
      // Half the events take an id from the pool's collation traps, so equal instants meet them.
      trapId: fc.oneof(fc.constant(undefined), fc.nat(3)),
      trapPartner: fc.boolean(),
      reuseId: fc.nat(40),
      payload: payloadParts(),
    },
    { requiredKeys: ['tenant', 'agent', 'episode', 'at', 'spelling', 'type', 'eventId', 'payload'] },
  );
}

/** The pools every schedule draws from. */
export interface PoolValues {
  episodes: string[];
  instants: Instant[];
  /** Valid event ids whose byte order differs from a collation's (`collationTrapIds`). */
  trapIds: string[];
}

export function poolValues(p: Pools): fc.Arbitrary<PoolValues> {
  return fc.record({
    episodes: fc.uniqueArray(fc.ulid(), { minLength: p.episodes, maxLength: p.episodes }),
    instants: instantPool(p.instants),
    trapIds: collationTrapIds(),
  });
}

/** A concrete event object (placeholders for tenant and agent). */
export type EventObject = Record<string, unknown> & {
  event_id: string;
  tenant_id: string;
  agent_id: string;
  episode_id: string;
  source_ts: string;
};

/**
 * Resolves specs to event objects. Event ids are unique per (tenant, agent): a reused id is
 * only taken from another tenant/agent, and a colliding spec is dropped.
 */
export function resolveEvents(specs: EventSpec[], pools: PoolValues): EventObject[] {
  const seen = new Set<string>();
  const out: EventObject[] = [];
  let previousTrap: { slot: number; tenant: string; agent: string; episode: string; at: Instant } | undefined;
  specs.forEach((s, i) => {
    // The partner of the previous event's trap meets it on its row at its instant: a tie that
    // only the spec's byte order breaks right (collation-trap ids come in pairs: 0/1, 2/3).
    const partner = s.trapPartner === true ? previousTrap : undefined;
    const tenant = partner?.tenant ?? TENANTS[s.tenant] ?? TENANTS[0];
    const agent = partner?.agent ?? AGENTS[s.agent] ?? AGENTS[0];
    const slot = partner === undefined ? s.trapId : partner.slot ^ 1;
    const trap = slot === undefined ? undefined : pools.trapIds[slot];
    // A trap id already taken under this tenant/agent falls back to the event's own id.
    let id = trap === undefined || seen.has(`${tenant}/${agent}/${trap}`) ? s.eventId : trap;
    const donor = s.reuseId !== undefined && s.reuseId < i ? out[s.reuseId] : undefined;
    if (donor !== undefined && (donor.tenant_id !== tenant || donor.agent_id !== agent)) id = donor.event_id;
    const key = `${tenant}/${agent}/${id}`;
    if (seen.has(key)) return;
    seen.add(key);
    const at = partner?.at ?? pools.instants[s.at] ?? pools.instants[0];
    const episode = partner?.episode ?? pools.episodes[s.episode] ?? pools.episodes[0];
    if (at === undefined || episode === undefined) return;
    previousTrap = id === trap && slot !== undefined ? { slot, tenant, agent, episode, at } : undefined;
    out.push(buildEvent(tenant, agent, episode, spellInstant(at, s.spelling), s.type, id, s.payload));
  });
  return out;
}

/** The field name no version of the contract defines, added to the envelope or the payload. */
const UNKNOWN_FIELD = 'ck_future_field';

/** Where the event carries a field the contract does not define, if anywhere. */
export function unknownFieldOf(event: object): 'payload' | 'envelope' | undefined {
  if (UNKNOWN_FIELD in event) return 'envelope';
  const payload = (event as { payload?: unknown }).payload;
  return payload !== null && typeof payload === 'object' && UNKNOWN_FIELD in payload ? 'payload' : undefined;
}

export function buildEvent(
  tenant: string,
  agent: string,
  episode: string,
  sourceTs: string,
  type: string,
  id: string,
  p: PayloadParts,
): EventObject {
  const payload: Record<string, unknown> = {
    ...p.payload,
    // Slots in this kit's own refs and the planted marker (metadata holds at most 32 keys).
    content_ref: `continuum://${tenant}/episodes/${episode}`,
    metadata: {
      ...Object.fromEntries(Object.entries(p.payload.metadata).slice(0, 30)),
      ck_body: BODY_MARKER,
    },
  };
  if (p.unknownField === 'payload') payload[UNKNOWN_FIELD] = 'ignored';
  const event: EventObject = {
    event_id: id,
    event_type: type,
    tenant_id: tenant,
    agent_id: agent,
    episode_id: episode,
    source_ts: sourceTs,
    schema_version: 1,
    ...(p.unknownField === 'envelope' ? { [UNKNOWN_FIELD]: 'ignored' } : {}),
    payload,
  };
  const edge = p.edge === undefined ? undefined : PAYLOAD_EDGES[p.edge];
  if (edge === undefined) return event;
  const onEdge = { ...event, payload: edge.apply(payload) };
  // Only a valid event is sent as valid: an edge the rest of this event cannot carry is skipped.
  if (!decodeEpisodeEvent(JSON.stringify(onEdge), 'consumer').ok) return event;
  EDGE_OF.set(onEdge, `edge: ${edge.constraint} ${edge.edge}`);
  return onEdge;
}

/** The schema edge an event was built on, for the report's per-constraint edge counts. */
export const EDGE_OF = new WeakMap<EventObject, string>();
