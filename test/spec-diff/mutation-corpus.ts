import type { Category, Classification } from '../../spec-diff/finding.js';
import type { SpecFiles } from './spec-files.js';

/** The finding a diff must contain, and the classification it must have. */
export interface Expected {
  rule: string;
  classification: Classification;
}

/**
 * One rule of the corpus: a mutation of the real spec, and what the diff must say going
 * forward (real -> mutated) and in reverse (mutated -> real).
 */
export interface Mutation {
  name: string;
  category: Category;
  /** Applied to both sides first (sets up a context, e.g. a stricter reader policy). */
  prepare?: (files: SpecFiles) => void;
  mutate: (files: SpecFiles) => void;
  forward: Expected;
  reverse: Expected;
}

const B = 'breaking' as const;
const N = 'non-breaking' as const;
const D = 'doc-only' as const;
const payload = (f: SpecFiles) => f.schemas['episode-payload.schema.json'];
const event = (f: SpecFiles) => f.schemas['episode-event.schema.json'];
const defs = (f: SpecFiles) => f.schemas['defs.schema.json'].definitions;
const stream = (f: SpecFiles) => f.spec.components['x-streams'].episodes;
const columns = (f: SpecFiles) => f.spec['x-projection'].tables.arqonbus_continuum_projection.columns;
const family = (f: SpecFiles, name: string) => f.spec['x-valkey'].families[name];

export const MUTATIONS: Mutation[] = [
  // wire: payload and header schemas
  {
    name: 'maxLength lowered',
    category: 'wire',
    mutate: (f) => void (payload(f).properties.summary.maxLength = 200),
    forward: { rule: 'wire.bound-tightened', classification: B },
    reverse: { rule: 'wire.bound-loosened', classification: B },
  },
  {
    name: 'maxProperties lowered',
    category: 'wire',
    mutate: (f) => void (payload(f).properties.metadata.maxProperties = 16),
    forward: { rule: 'wire.bound-tightened', classification: B },
    reverse: { rule: 'wire.bound-loosened', classification: B },
  },
  {
    name: 'minItems added',
    category: 'wire',
    mutate: (f) => void (payload(f).properties.tags.minItems = 1),
    forward: { rule: 'wire.bound-tightened', classification: B },
    reverse: { rule: 'wire.bound-loosened', classification: B },
  },
  {
    name: 'uniqueItems dropped',
    category: 'wire',
    mutate: (f) => void delete payload(f).properties.tags.uniqueItems,
    forward: { rule: 'wire.bound-loosened', classification: B },
    reverse: { rule: 'wire.bound-tightened', classification: B },
  },
  {
    name: 'required added',
    category: 'wire',
    mutate: (f) => void payload(f).required.push('summary'),
    forward: { rule: 'wire.required-added', classification: B },
    reverse: { rule: 'wire.required-removed', classification: B },
  },
  {
    name: 'enum value removed',
    category: 'wire',
    mutate: (f) => void event(f).properties.event_type.enum.pop(),
    forward: { rule: 'wire.enum-value-removed', classification: B },
    reverse: { rule: 'wire.enum-value-added', classification: B },
  },
  {
    name: 'type narrowed',
    category: 'wire',
    mutate: (f) =>
      void (payload(f).properties.metadata.additionalProperties.type = ['string', 'number', 'boolean']),
    forward: { rule: 'wire.type-narrowed', classification: B },
    reverse: { rule: 'wire.type-widened', classification: B },
  },
  {
    name: 'integer widened to number (no const)',
    category: 'wire',
    prepare: (f) => void delete event(f).properties.schema_version.const,
    mutate: (f) => void (event(f).properties.schema_version.type = 'number'),
    forward: { rule: 'wire.type-widened', classification: B },
    reverse: { rule: 'wire.type-narrowed', classification: B },
  },
  {
    name: 'pattern changed',
    category: 'wire',
    mutate: (f) => void (payload(f).properties.content_ref.pattern = '^[a-z]+://[^\\s]+$'),
    forward: { rule: 'wire.pattern-changed', classification: B },
    reverse: { rule: 'wire.pattern-changed', classification: B },
  },
  {
    name: 'format added',
    category: 'wire',
    mutate: (f) => void (payload(f).properties.content_ref.format = 'uri'),
    forward: { rule: 'wire.format-added', classification: B },
    reverse: { rule: 'wire.format-removed', classification: B },
  },
  {
    name: 'const changed',
    category: 'wire',
    mutate: (f) => void (event(f).properties.schema_version.const = 2),
    forward: { rule: 'wire.const-changed', classification: B },
    reverse: { rule: 'wire.const-changed', classification: B },
  },
  {
    name: 'additionalProperties opened',
    category: 'wire',
    mutate: (f) => void delete payload(f).additionalProperties,
    forward: { rule: 'wire.additional-properties-opened', classification: N },
    reverse: { rule: 'wire.additional-properties-closed', classification: B },
  },
  {
    name: 'optional property added',
    category: 'wire',
    mutate: (f) => void (payload(f).properties.language = { type: 'string', maxLength: 16 }),
    forward: { rule: 'wire.property-added', classification: N },
    reverse: { rule: 'wire.property-removed', classification: N },
  },
  {
    name: 'optional property added, readers reject unknown fields',
    category: 'wire',
    prepare: (f) => void (f.spec['x-unknown-fields'].consumer = 'reject'),
    mutate: (f) => void (payload(f).properties.language = { type: 'string' }),
    forward: { rule: 'wire.property-added', classification: B },
    reverse: { rule: 'wire.property-removed', classification: B },
  },
  {
    name: '$ref target changed',
    category: 'wire',
    mutate: (f) => void (event(f).properties.episode_id.$ref = 'defs.schema.json#/definitions/event_id'),
    forward: { rule: 'wire.ref-target-changed', classification: B },
    reverse: { rule: 'wire.ref-target-changed', classification: B },
  },
  {
    name: '$ref target changed to an identical schema',
    category: 'wire',
    prepare: (f) => void (defs(f).ulid_copy = structuredClone(defs(f).ulid)),
    mutate: (f) => void (event(f).properties.episode_id.$ref = 'defs.schema.json#/definitions/ulid_copy'),
    forward: { rule: 'wire.ref-target-changed', classification: N },
    reverse: { rule: 'wire.ref-target-changed', classification: N },
  },
  {
    name: 'oneOf branch removed',
    category: 'wire',
    mutate: (f) => void defs(f).event_id.oneOf.pop(),
    forward: { rule: 'wire.branch-removed', classification: B },
    reverse: { rule: 'wire.branch-added', classification: B },
  },
  {
    name: 'header made required',
    category: 'wire',
    mutate: (f) =>
      void f.spec.components.schemas.EpisodeEventHeaders.required.push('Continuum-Schema-Version'),
    forward: { rule: 'wire.required-added', classification: B },
    reverse: { rule: 'wire.required-removed', classification: B },
  },
  {
    name: 'payload description',
    category: 'wire',
    mutate: (f) => void (payload(f).properties.summary.description = 'Short text.'),
    forward: { rule: 'wire.doc', classification: D },
    reverse: { rule: 'wire.doc', classification: D },
  },
  {
    name: 'payload examples',
    category: 'wire',
    mutate: (f) => void (payload(f).properties.summary.examples = ['hello']),
    forward: { rule: 'wire.doc', classification: D },
    reverse: { rule: 'wire.doc', classification: D },
  },
  {
    name: 'message size limit lowered',
    category: 'wire',
    mutate: (f) => void (f.spec['x-limits'].max_message_bytes = 32768),
    forward: { rule: 'wire.size-limit-tightened', classification: B },
    reverse: { rule: 'wire.size-limit-loosened', classification: B },
  },
  {
    name: 'readers reject unknown fields',
    category: 'wire',
    mutate: (f) => void (f.spec['x-unknown-fields'].consumer = 'reject'),
    forward: { rule: 'wire.readers-reject-unknown', classification: B },
    reverse: { rule: 'wire.readers-tolerate-unknown', classification: N },
  },
  // topology
  {
    name: 'address changed',
    category: 'topology',
    mutate: (f) =>
      void (f.spec.channels.episodeEvents.address = 'continuum.episodes.v1.{tenant_id}.{agent_id}'),
    forward: { rule: 'topology.address-changed', classification: B },
    reverse: { rule: 'topology.address-changed', classification: B },
  },
  {
    name: 'channel added',
    category: 'topology',
    mutate: (f) =>
      void (f.spec.channels.episodeAudit = {
        address: 'continuum.audit.v1',
        messages: { dlqEntry: { $ref: '#/components/messages/dlqEntry' } },
      }),
    forward: { rule: 'topology.channel-added', classification: N },
    reverse: { rule: 'topology.channel-removed', classification: B },
  },
  {
    name: 'message added to a channel',
    category: 'topology',
    mutate: (f) =>
      void (f.spec.channels.episodeDlq.messages.episodeEvent = {
        $ref: '#/components/messages/episodeEvent',
      }),
    forward: { rule: 'topology.message-added', classification: B },
    reverse: { rule: 'topology.message-removed', classification: B },
  },
  {
    name: 'parameter description',
    category: 'topology',
    mutate: (f) => void (f.spec.components.parameters.tenant_id.description = 'Tenant.'),
    forward: { rule: 'topology.doc', classification: D },
    reverse: { rule: 'topology.doc', classification: D },
  },
  {
    name: 'stream duplicate window lowered, readers without a dedup key',
    category: 'topology',
    prepare: (f) => void delete f.spec['x-delivery'].dedup_key,
    mutate: (f) => void (stream(f).duplicate_window_ms = 60000),
    forward: { rule: 'topology.stream-limit-tightened', classification: B },
    reverse: { rule: 'topology.stream-limit-loosened', classification: N },
  },
  {
    name: 'stream replicas lowered',
    category: 'topology',
    mutate: (f) => void (stream(f).replicas_production = 1),
    forward: { rule: 'topology.stream-limit-tightened', classification: B },
    reverse: { rule: 'topology.stream-limit-loosened', classification: N },
  },
  {
    name: 'stream subject added',
    category: 'topology',
    mutate: (f) => void stream(f).subjects.push('continuum.episode.v2.*.*'),
    forward: { rule: 'topology.stream-subjects-added', classification: N },
    reverse: { rule: 'topology.stream-subjects-removed', classification: B },
  },
  {
    name: 'stream retention changed',
    category: 'topology',
    mutate: (f) => void (stream(f).retention = 'workqueue'),
    forward: { rule: 'topology.stream-retention-changed', classification: B },
    reverse: { rule: 'topology.stream-retention-changed', classification: B },
  },
  {
    name: 'stream name changed',
    category: 'topology',
    mutate: (f) => void (stream(f).name = 'EPISODES'),
    forward: { rule: 'topology.stream-name-changed', classification: B },
    reverse: { rule: 'topology.stream-name-changed', classification: B },
  },
  {
    name: 'operation removed',
    category: 'topology',
    mutate: (f) => void delete f.spec.operations.publishDeadLetter,
    forward: { rule: 'topology.operation-removed', classification: B },
    reverse: { rule: 'topology.operation-added', classification: N },
  },
  {
    name: 'durable consumer renamed',
    category: 'topology',
    mutate: (f) => void (f.spec.operations.projectEpisodeEvent['x-consumer'].durable_name = 'projector-2'),
    forward: { rule: 'topology.consumer-binding-changed', classification: B },
    reverse: { rule: 'topology.consumer-binding-changed', classification: B },
  },
  {
    name: 'consumer ack wait tuned',
    category: 'topology',
    mutate: (f) => void (f.spec.operations.projectEpisodeEvent['x-consumer'].ack_wait_ms = 60000),
    forward: { rule: 'topology.consumer-tuning-changed', classification: N },
    reverse: { rule: 'topology.consumer-tuning-changed', classification: N },
  },
  {
    name: 'producer permission added',
    category: 'topology',
    mutate: (f) => void f.spec['x-security'].permissions.producer.subscribe.push('$JS.API.INFO'),
    forward: { rule: 'topology.permission-added', classification: N },
    reverse: { rule: 'topology.permission-removed', classification: B },
  },
  {
    name: 'server host changed',
    category: 'topology',
    mutate: (f) => void (f.spec.servers.bus.host = 'bus.internal:4222'),
    forward: { rule: 'asyncapi.edit', classification: B },
    reverse: { rule: 'asyncapi.edit', classification: B },
  },
  {
    name: 'channel description',
    category: 'topology',
    mutate: (f) => void (f.spec.channels.episodeEvents.description = 'Episode events.'),
    forward: { rule: 'topology.doc', classification: D },
    reverse: { rule: 'topology.doc', classification: D },
  },
  // keys
  {
    name: 'cache TTL max lowered',
    category: 'keys',
    mutate: (f) => void (family(f, 'cache').ttl_seconds.max = 120),
    forward: { rule: 'keys.ttl-tightened', classification: B },
    reverse: { rule: 'keys.ttl-loosened', classification: B },
  },
  {
    name: 'presence TTL min raised',
    category: 'keys',
    mutate: (f) => void (family(f, 'presence').ttl_seconds.min = 5),
    forward: { rule: 'keys.ttl-tightened', classification: B },
    reverse: { rule: 'keys.ttl-loosened', classification: N },
  },
  {
    name: 'value size lowered',
    category: 'keys',
    mutate: (f) => void (family(f, 'cache').max_value_bytes = 1024),
    forward: { rule: 'keys.value-size-tightened', classification: B },
    reverse: { rule: 'keys.value-size-loosened', classification: N },
  },
  {
    name: 'key family added',
    category: 'keys',
    mutate: (f) =>
      void (f.spec['x-valkey'].families.lock = {
        pattern: 'tenant:{tenant_id}:lock:{name}',
        ttl_seconds: { min: 1, max: 30 },
        max_value_bytes: 64,
      }),
    forward: { rule: 'keys.family-added', classification: N },
    reverse: { rule: 'keys.family-removed', classification: B },
  },
  {
    name: 'key pattern changed',
    category: 'keys',
    mutate: (f) => void (family(f, 'presence').pattern = 'tenant:{tenant_id}:presence:{agent_id}:{name}'),
    forward: { rule: 'keys.pattern-changed', classification: B },
    reverse: { rule: 'keys.pattern-changed', classification: B },
  },
  {
    name: 'cache value schema field required',
    category: 'keys',
    mutate: (f) => void f.schemas['cache-entry.schema.json'].required.push('summary'),
    forward: { rule: 'wire.required-added', classification: B },
    reverse: { rule: 'wire.required-removed', classification: B },
  },
  // projection
  {
    name: 'nullable column added',
    category: 'projection',
    mutate: (f) => void (columns(f).language = { type: 'text', nullable: true }),
    forward: { rule: 'projection.column-added', classification: N },
    reverse: { rule: 'projection.column-removed', classification: B },
  },
  {
    name: 'NOT NULL column added without default',
    category: 'projection',
    mutate: (f) => void (columns(f).language = { type: 'text', nullable: false }),
    forward: { rule: 'projection.column-added', classification: B },
    reverse: { rule: 'projection.column-removed', classification: B },
  },
  {
    name: 'column made NOT NULL',
    category: 'projection',
    mutate: (f) => void (columns(f).summary.nullable = false),
    forward: { rule: 'projection.column-not-null', classification: B },
    reverse: { rule: 'projection.column-nullable', classification: B },
  },
  {
    name: 'column type changed',
    category: 'projection',
    mutate: (f) => void (columns(f).tags.type = 'text[]'),
    forward: { rule: 'projection.column-type-changed', classification: B },
    reverse: { rule: 'projection.column-type-changed', classification: B },
  },
  {
    name: 'primary key changed',
    category: 'projection',
    mutate: (f) =>
      void (f.spec['x-projection'].tables.arqonbus_continuum_projection.primary_key = [
        'tenant_id',
        'episode_id',
      ]),
    forward: { rule: 'projection.key-changed', classification: B },
    reverse: { rule: 'projection.key-changed', classification: B },
  },
  {
    name: 'table added',
    category: 'projection',
    mutate: (f) =>
      void (f.spec['x-projection'].tables.extra = {
        primary_key: ['id'],
        columns: { id: { type: 'text', nullable: false } },
      }),
    forward: { rule: 'projection.table-added', classification: N },
    reverse: { rule: 'projection.table-removed', classification: B },
  },
  {
    name: 'column description',
    category: 'projection',
    mutate: (f) => void (columns(f).summary.description = 'Short text'),
    forward: { rule: 'projection.doc', classification: D },
    reverse: { rule: 'projection.doc', classification: D },
  },
  // semantics
  {
    name: 'ordering key changed',
    category: 'semantics',
    mutate: (f) => void (f.spec['x-delivery'].ordering_key = ['event_id']),
    forward: { rule: 'semantics.delivery-changed', classification: B },
    reverse: { rule: 'semantics.delivery-changed', classification: B },
  },
  {
    name: 'idempotency key changed',
    category: 'semantics',
    mutate: (f) => void (f.spec['x-delivery'].idempotency_key = ['event_id']),
    forward: { rule: 'semantics.delivery-changed', classification: B },
    reverse: { rule: 'semantics.delivery-changed', classification: B },
  },
  {
    name: 'tie-break changed',
    category: 'semantics',
    mutate: (f) => void (f.spec['x-delivery'].tie_break = 'Later arrival wins.'),
    forward: { rule: 'semantics.delivery-changed', classification: B },
    reverse: { rule: 'semantics.delivery-changed', classification: B },
  },
  {
    name: 'tie-break re-wrapped',
    category: 'semantics',
    mutate: (f) =>
      void (f.spec['x-delivery'].tie_break = f.spec['x-delivery'].tie_break.replace(/\s+/g, ' ')),
    forward: { rule: 'semantics.rewrapped', classification: D },
    reverse: { rule: 'semantics.rewrapped', classification: D },
  },
  {
    name: 'event meaning changed',
    category: 'semantics',
    mutate: (f) => void (f.spec['x-event-semantics'].event_types['episode.deleted'] = 'Clears the row.'),
    forward: { rule: 'semantics.event-meaning-changed', classification: B },
    reverse: { rule: 'semantics.event-meaning-changed', classification: B },
  },
  {
    name: 'optional replay parameter added',
    category: 'semantics',
    mutate: (f) =>
      void (f.spec['x-replay'].parameters.limit = { required: false, description: 'At most this many.' }),
    forward: { rule: 'semantics.replay-parameter-added', classification: N },
    reverse: { rule: 'semantics.replay-parameter-removed', classification: B },
  },
  // slo
  {
    name: 'SLO tightened',
    category: 'slo',
    mutate: (f) => void (f.spec['x-slo'].publish_p99_ms.max = 10),
    forward: { rule: 'slo.tightened', classification: B },
    reverse: { rule: 'slo.loosened', classification: N },
  },
  {
    name: 'SLO added',
    category: 'slo',
    mutate: (f) => void (f.spec['x-slo'].dlq_rate = { max: 0.01, description: 'DLQ / events.' }),
    forward: { rule: 'slo.added', classification: B },
    reverse: { rule: 'slo.removed', classification: N },
  },
  {
    name: 'alert changed',
    category: 'slo',
    mutate: (f) => void (f.spec['x-slo'].alerts[1].for = '15m'),
    forward: { rule: 'slo.alerts-changed', classification: N },
    reverse: { rule: 'slo.alerts-changed', classification: N },
  },
  {
    name: 'SLO description',
    category: 'slo',
    mutate: (f) => void (f.spec['x-slo'].publish_p99_ms.description = 'Publish to ack.'),
    forward: { rule: 'slo.doc', classification: D },
    reverse: { rule: 'slo.doc', classification: D },
  },
  {
    name: 'all SLOs removed',
    category: 'slo',
    mutate: (f) => void delete f.spec['x-slo'],
    forward: { rule: 'slo.removed', classification: N },
    reverse: { rule: 'slo.added', classification: B },
  },
  // info, clauses, unknown extensions
  {
    name: 'info description',
    category: 'info',
    mutate: (f) => void (f.spec.info.description = 'The contract.'),
    forward: { rule: 'info.doc', classification: D },
    reverse: { rule: 'info.doc', classification: D },
  },
  {
    name: 'clause removed',
    category: 'info',
    mutate: (f) => void delete f.spec['x-clauses']['CT-1.scope'],
    forward: { rule: 'info.clause-removed', classification: B },
    reverse: { rule: 'info.clause-added', classification: N },
  },
  {
    name: 'clause text',
    category: 'info',
    mutate: (f) => void (f.spec['x-clauses']['CT-3.delivery'].text = 'At least once.'),
    forward: { rule: 'info.doc', classification: D },
    reverse: { rule: 'info.doc', classification: D },
  },
  {
    name: 'clause check changed',
    category: 'info',
    mutate: (f) => void (f.spec['x-clauses']['CT-3.delivery'].check = 'documented'),
    forward: { rule: 'info.clause-check-changed', classification: N },
    reverse: { rule: 'info.clause-check-changed', classification: N },
  },
  {
    name: 'clause side changed',
    category: 'info',
    mutate: (f) => void (f.spec['x-clauses']['CT-7.audit'].side = 'producer'),
    forward: { rule: 'info.clause-side-changed', classification: N },
    reverse: { rule: 'info.clause-side-changed', classification: N },
  },
  {
    name: 'clause side added',
    category: 'info',
    prepare: (f) => void delete f.spec['x-clauses']['CT-4.guard'].side,
    mutate: (f) => void (f.spec['x-clauses']['CT-4.guard'].side = 'projector'),
    forward: { rule: 'info.clause-side-changed', classification: N },
    reverse: { rule: 'info.clause-side-changed', classification: N },
  },
  {
    name: 'unknown extension added',
    category: 'other',
    mutate: (f) => void (f.spec['x-sharding'] = { shards: 4 }),
    forward: { rule: 'asyncapi.add', classification: B },
    reverse: { rule: 'asyncapi.remove', classification: B },
  },
];
