import type { Mutation } from './mutation-corpus.js';
import type { SpecFiles } from './spec-files.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- mutations edit arbitrary spec JSON */

const B = 'breaking' as const;
const N = 'non-breaking' as const;
const payload = (f: SpecFiles) => f.schemas['episode-payload.schema.json'];
const event = (f: SpecFiles) => f.schemas['episode-event.schema.json'];
const defs = (f: SpecFiles) => f.schemas['defs.schema.json'].definitions;
const headers = (f: SpecFiles) => f.spec.components.schemas.EpisodeEventHeaders;
const stream = (f: SpecFiles) => f.spec.components['x-streams'].episodes;
const phases = (f: SpecFiles) => f.spec['x-rollout'].phases;
const renameKey = (object: Record<string, any>, from: string, to: string): Record<string, any> =>
  Object.fromEntries(Object.entries(object).map(([k, v]) => [k === from ? to : k, v]));

/**
 * Compatible changes a reviewer makes (issue 11), and their close breaking relatives: each
 * rule of "decide, don't assume", with the verdict both ways.
 */
export const COMPAT_MUTATIONS: Mutation[] = [
  {
    name: 'channel parameter renamed with its placeholder',
    category: 'topology',
    mutate: (f) => {
      const channel = f.spec.channels.episodeEvents;
      channel.address = 'continuum.episode.v1.{tenant}.{agent_id}';
      channel.parameters = renameKey(channel.parameters, 'tenant_id', 'tenant');
    },
    forward: { rule: 'topology.parameter-renamed', classification: N },
    reverse: { rule: 'topology.parameter-renamed', classification: N },
  },
  {
    name: 'placeholder renamed but the parameter kept its name',
    category: 'topology',
    mutate: (f) => void (f.spec.channels.episodeEvents.address = 'continuum.episode.v1.{tenant}.{agent_id}'),
    forward: { rule: 'topology.address-changed', classification: B },
    reverse: { rule: 'topology.address-changed', classification: B },
  },
  {
    name: 'message renamed (components, channel and operation references)',
    category: 'topology',
    mutate: (f) => {
      const messages = f.spec.components.messages;
      f.spec.components.messages = renameKey(messages, 'episodeEvent', 'episodeChange');
      const channel = f.spec.channels.episodeEvents;
      channel.messages = { episodeChange: { $ref: '#/components/messages/episodeChange' } };
      for (const id of ['publishEpisodeEvent', 'projectEpisodeEvent'])
        f.spec.operations[id].messages = [{ $ref: '#/channels/episodeEvents/messages/episodeChange' }];
    },
    forward: { rule: 'topology.message-renamed', classification: N },
    reverse: { rule: 'topology.message-renamed', classification: N },
  },
  {
    name: 'message renamed in components only',
    category: 'topology',
    mutate: (f) => {
      f.spec.components.messages = renameKey(f.spec.components.messages, 'dlqEntry', 'deadLetter');
      f.spec.channels.episodeDlq.messages.dlqEntry.$ref = '#/components/messages/deadLetter';
    },
    forward: { rule: 'topology.message-renamed', classification: N },
    reverse: { rule: 'topology.message-renamed', classification: N },
  },
  {
    name: 'message replaced by one with another payload',
    category: 'topology',
    mutate: (f) => {
      const channel = f.spec.channels.episodeDlq;
      channel.messages = { episodeEvent: { $ref: '#/components/messages/episodeEvent' } };
      f.spec.operations.publishDeadLetter.messages = [
        { $ref: '#/channels/episodeDlq/messages/episodeEvent' },
      ];
    },
    forward: { rule: 'topology.message-removed', classification: B },
    reverse: { rule: 'topology.message-added', classification: B },
  },
  {
    name: 'channel renamed (operations follow)',
    category: 'topology',
    mutate: (f) => {
      f.spec.channels = renameKey(f.spec.channels, 'episodeDlq', 'deadLetters');
      const operation = f.spec.operations.publishDeadLetter;
      operation.channel = { $ref: '#/channels/deadLetters' };
      operation.messages = [{ $ref: '#/channels/deadLetters/messages/dlqEntry' }];
    },
    forward: { rule: 'topology.channel-renamed', classification: N },
    reverse: { rule: 'topology.channel-renamed', classification: N },
  },
  {
    name: 'operation renamed',
    category: 'topology',
    mutate: (f) => void (f.spec.operations = renameKey(f.spec.operations, 'publishDeadLetter', 'deadLetter')),
    forward: { rule: 'topology.operation-renamed', classification: N },
    reverse: { rule: 'topology.operation-renamed', classification: N },
  },
  {
    name: 'optional NATS header added',
    category: 'wire',
    mutate: (f) =>
      void (headers(f).properties['Continuum-Trace-Id'] = {
        type: 'string',
        description: 'Optional W3C trace id of the export.',
      }),
    forward: { rule: 'wire.header-added', classification: N },
    reverse: { rule: 'wire.header-removed', classification: N },
  },
  {
    name: 'required NATS header added',
    category: 'wire',
    mutate: (f) => {
      headers(f).properties['Continuum-Trace-Id'] = { type: 'string' };
      headers(f).required.push('Continuum-Trace-Id');
    },
    forward: { rule: 'wire.required-added', classification: B },
    reverse: { rule: 'wire.required-removed', classification: B },
  },
  {
    name: 'pattern rewritten into an equivalent regex',
    category: 'wire',
    mutate: (f) => void (payload(f).properties.content_ref.pattern = '^[a-z][-a-z0-9+.]{0,31}:\\S+$'),
    forward: { rule: 'wire.pattern-equivalent', classification: N },
    reverse: { rule: 'wire.pattern-equivalent', classification: N },
  },
  {
    name: 'pattern tightened',
    category: 'wire',
    mutate: (f) => void (defs(f).ulid.pattern = '^[0-3][0-9A-HJKMNP-TV-Z]{25}$'),
    forward: { rule: 'wire.pattern-tightened', classification: B },
    reverse: { rule: 'wire.pattern-loosened', classification: B },
  },
  {
    name: 'pattern with a lookahead (outside the regular subset)',
    category: 'wire',
    mutate: (f) =>
      void (payload(f).properties.content_ref.pattern = '^(?=[a-z])[a-z][a-z0-9+.-]{0,31}:[^\\s]+$'),
    forward: { rule: 'wire.pattern-changed', classification: B },
    reverse: { rule: 'wire.pattern-changed', classification: B },
  },
  {
    name: 'length bounds moved into the pattern',
    category: 'wire',
    mutate: (f) => {
      const items = payload(f).properties.tags.items;
      items.pattern = '^[^\\s\\u0000-\\u001f\\u007f]{1,64}$';
      delete items.minLength;
      delete items.maxLength;
    },
    forward: { rule: 'wire.strings-unchanged', classification: N },
    reverse: { rule: 'wire.strings-unchanged', classification: N },
  },
  {
    name: 'length bound moved into the pattern and tightened',
    category: 'wire',
    mutate: (f) => {
      const items = payload(f).properties.tags.items;
      items.pattern = '^[^\\s\\u0000-\\u001f\\u007f]{1,32}$';
      delete items.maxLength;
    },
    forward: { rule: 'wire.strings-narrowed', classification: B },
    reverse: { rule: 'wire.strings-widened', classification: B },
  },
  {
    name: 'multipleOf step multiplied',
    category: 'wire',
    prepare: (f) => void (payload(f).properties.metadata.additionalProperties.multipleOf = 2),
    mutate: (f) => void (payload(f).properties.metadata.additionalProperties.multipleOf = 6),
    forward: { rule: 'wire.bound-tightened', classification: B },
    reverse: { rule: 'wire.bound-loosened', classification: B },
  },
  {
    name: 'nesting depth limit lowered',
    category: 'wire',
    prepare: (f) => void (f.spec['x-limits'].max_nesting_depth ??= 64),
    mutate: (f) => void (f.spec['x-limits'].max_nesting_depth = 32),
    forward: { rule: 'wire.size-limit-tightened', classification: B },
    reverse: { rule: 'wire.size-limit-loosened', classification: B },
  },
  {
    name: 'integer widened to number under const 1',
    category: 'wire',
    mutate: (f) => void (event(f).properties.schema_version.type = 'number'),
    forward: { rule: 'wire.values-unchanged', classification: N },
    reverse: { rule: 'wire.values-unchanged', classification: N },
  },
  {
    name: 'enum of the same values reordered with a type added',
    category: 'wire',
    mutate: (f) => {
      const eventType = event(f).properties.event_type;
      eventType.enum = [...eventType.enum].reverse();
      delete eventType.type;
    },
    forward: { rule: 'wire.values-unchanged', classification: N },
    reverse: { rule: 'wire.values-unchanged', classification: N },
  },
  {
    name: 'schema split into allOf parts with identical meaning',
    category: 'wire',
    mutate: (f) => {
      const schema = payload(f);
      const required: string[] = schema.required;
      delete schema.required;
      const maxProperties = schema.properties.metadata.maxProperties;
      delete schema.properties.metadata.maxProperties;
      schema.allOf = [
        { required: required.slice(0, 1) },
        { required: required.slice(1) },
        { properties: { metadata: { maxProperties } } },
      ];
    },
    forward: { rule: 'wire.allof-restructured', classification: N },
    reverse: { rule: 'wire.allof-restructured', classification: N },
  },
  {
    name: 'schema split into allOf parts that tighten a bound',
    category: 'wire',
    mutate: (f) => {
      const schema = payload(f);
      schema.allOf = [{ properties: { metadata: { maxProperties: 8 } } }];
    },
    forward: { rule: 'wire.bound-tightened', classification: B },
    reverse: { rule: 'wire.bound-loosened', classification: B },
  },
  {
    name: 'stream duplicate window shortened (readers dedup)',
    category: 'topology',
    mutate: (f) => void (stream(f).duplicate_window_ms = 30000),
    forward: { rule: 'topology.stream-dedup-window-lowered', classification: N },
    reverse: { rule: 'topology.stream-limit-loosened', classification: N },
  },
  {
    name: 'stream subjects widened to a wildcard that covers them',
    category: 'topology',
    mutate: (f) => void (stream(f).subjects = ['continuum.episode.v1.>']),
    forward: { rule: 'topology.stream-subjects-added', classification: N },
    reverse: { rule: 'topology.stream-subjects-removed', classification: B },
  },
  {
    name: 'projector subscribe permission widened to a wildcard',
    category: 'topology',
    mutate: (f) => void (f.spec['x-security'].permissions.projector.subscribe[0] = 'continuum.episode.v1.>'),
    forward: { rule: 'topology.permission-added', classification: N },
    reverse: { rule: 'topology.permission-removed', classification: B },
  },
  {
    name: 'security threat note reworded',
    category: 'topology',
    mutate: (f) => void (f.spec['x-security'].threats['inbox-read'] = 'Inbox subjects carry replies.'),
    forward: { rule: 'topology.doc', classification: 'doc-only' },
    reverse: { rule: 'topology.doc', classification: 'doc-only' },
  },
  {
    name: 'rollout phase appended',
    category: 'semantics',
    mutate: (f) =>
      void phases(f).push({
        id: 6,
        name: 'legacy-off',
        projector_writes: true,
        serving: true,
        replay: true,
        alerts: true,
      }),
    forward: { rule: 'semantics.rollout-phase-appended', classification: N },
    reverse: { rule: 'semantics.rollout-phase-removed', classification: B },
  },
  {
    name: 'rollout phases reordered',
    category: 'semantics',
    mutate: (f) => {
      const list = phases(f);
      [list[1], list[2]] = [list[2], list[1]];
    },
    forward: { rule: 'semantics.rollout-phases-changed', classification: B },
    reverse: { rule: 'semantics.rollout-phases-changed', classification: B },
  },
  {
    name: 'rollout phase setting changed',
    category: 'semantics',
    mutate: (f) => void (phases(f)[2].serving = false),
    forward: { rule: 'semantics.rollout-phases-changed', classification: B },
    reverse: { rule: 'semantics.rollout-phases-changed', classification: B },
  },
  {
    name: 'SLO loosened',
    category: 'slo',
    mutate: (f) => void (f.spec['x-slo'].projection_lag_p95_ms.max = 10000),
    forward: { rule: 'slo.loosened', classification: N },
    reverse: { rule: 'slo.tightened', classification: B },
  },
  {
    name: 'address moved beyond the stream subjects',
    category: 'topology',
    mutate: (f) =>
      void (f.spec.channels.episodeEvents.address = 'continuum.episodes.v1.{tenant_id}.{agent_id}'),
    forward: { rule: 'topology.address-not-captured', classification: B },
    reverse: { rule: 'topology.address-changed', classification: B },
  },
  {
    name: 'address and stream moved, consumer filter left behind',
    category: 'topology',
    mutate: (f) => {
      f.spec.channels.episodeEvents.address = 'continuum.episodes.v1.{tenant_id}.{agent_id}';
      stream(f).subjects = ['continuum.episodes.v1.*.*'];
    },
    forward: { rule: 'topology.address-not-consumed', classification: B },
    reverse: { rule: 'topology.address-changed', classification: B },
  },
];
