import fc from 'fast-check';
import type { EpisodeEvent, ValidationMode } from 'continuum-contract';
import { validEventArb, type ValidEventOptions } from './valid-event.js';

/** One single-field corruption of a valid event and the one clause it must be rejected with. */
export interface CorruptionKind {
  kind: string;
  clauseId: string;
  /** JSON pointer of the corrupted field ('' for whole-message corruptions). */
  path: string;
  /** Modes that must reject it (unknown fields are rejected by producers only). */
  rejectedIn: readonly ValidationMode[];
  /** The corrupted message body. */
  apply: (event: EpisodeEvent) => string | Uint8Array;
}

/** A corrupted message body with what a validator must report. */
export interface CorruptedEvent extends Omit<CorruptionKind, 'apply'> {
  original: EpisodeEvent;
  body: string | Uint8Array;
}

const BOTH: readonly ValidationMode[] = ['producer', 'consumer'];
const PRODUCER: readonly ValidationMode[] = ['producer'];
type Json = Record<string, unknown>;

function edit(path: string, change: (parent: Json, key: string) => void): (e: EpisodeEvent) => string {
  return (event) => {
    const copy = structuredClone(event) as unknown as Json;
    const keys = path.split('/').slice(1);
    const last = keys.pop() as string;
    const parent = keys.reduce<Json>((node, key) => node[key] as Json, copy);
    change(parent, last);
    return JSON.stringify(copy);
  };
}

const set = (path: string, value: unknown) => edit(path, (p, k) => void (p[k] = value));
const drop = (path: string) => edit(path, (p, k) => void delete p[k]);
const map = (path: string, f: (v: unknown) => unknown) => edit(path, (p, k) => void (p[k] = f(p[k])));

function field(
  path: string,
  clauseId: string,
  cases: Record<string, (e: EpisodeEvent) => string>,
): CorruptionKind[] {
  return Object.entries(cases).map(([name, apply]) => ({
    kind: `${path.slice(1)}: ${name}`,
    clauseId,
    path,
    rejectedIn: BOTH,
    apply,
  }));
}

function scopedIdCases(path: string): Record<string, (e: EpisodeEvent) => string> {
  return {
    'contains ":"': set(path, 'acme:evil'),
    'contains "."': set(path, 'acme.evil'),
    'contains "*"': set(path, 'acme*'),
    'contains ">"': set(path, 'acme>'),
    'contains " "': set(path, 'acme evil'),
    'upper case': set(path, 'Acme'),
    empty: set(path, ''),
    '65 chars': set(path, 'a'.repeat(65)),
    'starts with "_"': set(path, '_invalid'),
    'starts with "-"': set(path, '-acme'),
    'contains "{"': set(path, 'ac{me}'),
    'wrong type': set(path, 42),
    missing: drop(path),
  };
}

const TS = '/source_ts';
const ULID = '01JD3ZV8X3N4Q2W5E6R7T8Y9ZA';

/** Every kind of single-field corruption the contract's validators must catch, with the clause. */
export const CORRUPTIONS: readonly CorruptionKind[] = [
  ...field('/event_id', 'CT-3.envelope.event_id', {
    'lower-case ULID': set('/event_id', ULID.toLowerCase()),
    'ULID with I': set('/event_id', `01JD3ZV8X3N4Q2W5E6R7T8Y9ZI`),
    'ULID first char 8': set('/event_id', `8${ULID.slice(1)}`),
    UUIDv4: set('/event_id', '0193591f-6e1a-4cc3-8a41-2b7c9d0e1f22'),
    'upper-case UUIDv7': set('/event_id', '0193591F-6E1A-7CC3-8A41-2B7C9D0E1F22'),
    'UUIDv7 bad variant': set('/event_id', '0193591f-6e1a-7cc3-ca41-2b7c9d0e1f22'),
    'braced UUIDv7': set('/event_id', '{0193591f-6e1a-7cc3-8a41-2b7c9d0e1f22}'),
    empty: set('/event_id', ''),
    'wrong type': set('/event_id', 1),
    missing: drop('/event_id'),
  }),
  ...field('/event_type', 'CT-3.envelope.event_type', {
    unknown: set('/event_type', 'episode.archived'),
    // Every type padded and re-cased: a projector that normalises before validating would
    // project ' episode.deleted' as a delete.
    ...Object.fromEntries(
      ['episode.created', 'episode.updated', 'episode.deleted', 'episode.summarized'].flatMap((t) => [
        [`${t} leading space`, set('/event_type', ` ${t}`)],
        [`${t} trailing space`, set('/event_type', `${t} `)],
        [`${t} upper case`, set('/event_type', t.toUpperCase())],
        [`${t} capitalised`, set('/event_type', `E${t.slice(1)}`)],
      ]),
    ),
    'wrong type': set('/event_type', true),
    missing: drop('/event_type'),
  }),
  ...field('/tenant_id', 'CT-3.envelope.tenant_id', scopedIdCases('/tenant_id')),
  ...field('/agent_id', 'CT-3.envelope.agent_id', scopedIdCases('/agent_id')),
  ...field('/episode_id', 'CT-3.envelope.episode_id', {
    UUIDv7: set('/episode_id', '0193591f-6e1a-7cc3-8a41-2b7c9d0e1f22'),
    'lower-case ULID': set('/episode_id', ULID.toLowerCase()),
    'wrong type': set('/episode_id', null),
    missing: drop('/episode_id'),
  }),
  ...field(TS, 'CT-3.envelope.source_ts', {
    'offset +00:00': map(TS, (v) => String(v).replace('Z', '+00:00')),
    'offset +02:00': set(TS, '2026-11-24T12:15:30.123456+02:00'),
    'naive (no zone)': map(TS, (v) => String(v).replace('Z', '')),
    '7 fractional digits': set(TS, '2026-11-24T10:15:30.1234567Z'),
    'Feb 30': set(TS, '2026-02-30T10:15:30Z'),
    'Feb 29 of a common year': set(TS, '2025-02-29T00:00:00Z'),
    'Feb 29 of 1900': set(TS, '1900-02-29T00:00:00Z'),
    'Apr 31': set(TS, '2026-04-31T00:00:00Z'),
    'month 13': set(TS, '2026-13-01T00:00:00Z'),
    'hour 24': set(TS, '2026-11-24T24:00:00Z'),
    'second 60': set(TS, '2026-12-31T23:59:60Z'),
    'lower-case z': set(TS, '2026-11-24T10:15:30z'),
    'space separator': set(TS, '2026-11-24 10:15:30Z'),
    'date only': set(TS, '2026-11-24'),
    'empty fraction': set(TS, '2026-11-24T10:15:30.Z'),
    'epoch number': set(TS, 1764000000),
    missing: drop(TS),
  }),
  ...field('/schema_version', 'CT-3.envelope.schema_version', {
    'string "1"': set('/schema_version', '1'),
    true: set('/schema_version', true),
    '2': set('/schema_version', 2),
    '1.5': set('/schema_version', 1.5),
    null: set('/schema_version', null),
    missing: drop('/schema_version'),
  }),
  ...field('/payload', 'CT-3.payload', {
    string: set('/payload', 'continuum://acme/episodes/x'),
    array: set('/payload', []),
    null: set('/payload', null),
    missing: drop('/payload'),
  }),
  ...field('/payload/content_ref', 'CT-3.payload.content_ref', {
    'oversize (513 chars)': set('/payload/content_ref', `continuum://${'a'.repeat(501)}`),
    'a body, not a reference': set('/payload/content_ref', 'Customer asked about invoice 4411 and then'),
    'contains whitespace': set('/payload/content_ref', 'continuum://acme/ep isode'),
    'upper-case scheme': set('/payload/content_ref', 'Continuum://acme/x'),
    empty: set('/payload/content_ref', ''),
    'wrong type': set('/payload/content_ref', { ref: 'x' }),
    missing: drop('/payload/content_ref'),
  }),
  ...field('/payload/summary', 'CT-3.payload.summary', {
    null: set('/payload/summary', null),
    '281 chars': set('/payload/summary', 'x'.repeat(281)),
    'control character': set('/payload/summary', 'line one\nline two'),
    'DEL character': set('/payload/summary', 'a\u007fb'),
    'wrong type': set('/payload/summary', 7),
  }),
  ...field('/payload/tags', 'CT-3.payload.tags', {
    'not an array': set('/payload/tags', 'billing'),
    '33 tags': set(
      '/payload/tags',
      Array.from({ length: 33 }, (_, i) => `t${i}`),
    ),
    duplicate: set('/payload/tags', ['billing', 'billing']),
    'empty tag': set('/payload/tags', ['']),
    '65-char tag': set('/payload/tags', ['t'.repeat(65)]),
    'tag with whitespace': set('/payload/tags', ['two words']),
    'number tag': set('/payload/tags', [5]),
    null: set('/payload/tags', null),
    missing: drop('/payload/tags'),
  }),
  ...field('/payload/embedding_ref', 'CT-3.payload.embedding_ref', {
    null: set('/payload/embedding_ref', null),
    'contains whitespace': set('/payload/embedding_ref', 'vec://a b'),
    'wrong type': set('/payload/embedding_ref', 3),
    'oversize (513 chars)': set('/payload/embedding_ref', `vec:${'a'.repeat(509)}`),
  }),
  ...field('/payload/metadata', 'CT-3.payload.metadata', {
    'nested object': set('/payload/metadata', { channel: { name: 'chat' } }),
    'array value': set('/payload/metadata', { turns: [1, 2] }),
    '33 keys': set(
      '/payload/metadata',
      Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, i])),
    ),
    '257-char value': set('/payload/metadata', { note: 'x'.repeat(257) }),
    'key with space': set('/payload/metadata', { 'two words': 1 }),
    'key with ":"': set('/payload/metadata', { 'a:b': 1 }),
    'an array': set('/payload/metadata', []),
    null: set('/payload/metadata', null),
    missing: drop('/payload/metadata'),
  }),
  {
    kind: 'unknown top-level field',
    clauseId: 'CT-3.unknown-fields',
    path: '/priority',
    rejectedIn: PRODUCER,
    apply: set('/priority', 'high'),
  },
  {
    kind: 'unknown payload field',
    clauseId: 'CT-3.unknown-fields',
    path: '/payload/body',
    rejectedIn: PRODUCER,
    apply: set('/payload/body', 'the whole episode text'),
  },
  ...(
    [
      ['non-JSON', () => 'event_id=01JD3ZV8X3N4Q2W5E6R7T8Y9ZA'],
      ['truncated JSON', (e) => JSON.stringify(e).slice(0, -7)],
      ['JSON array', (e) => JSON.stringify([e])],
      ['JSON string', (e) => JSON.stringify(JSON.stringify(e))],
      ['JSON null', () => 'null'],
      ['empty body', () => ''],
      [
        'invalid UTF-8',
        (e) => Uint8Array.from([...Buffer.from(JSON.stringify(e)).subarray(0, -2), 0xff, 0x7d]),
      ],
      ['trailing garbage', (e) => `${JSON.stringify(e)}}`],
    ] as [string, (e: EpisodeEvent) => string | Uint8Array][]
  ).map(([kind, apply]): CorruptionKind => ({
    kind,
    clauseId: 'CT-3.json',
    path: '',
    rejectedIn: BOTH,
    apply,
  })),
  {
    kind: 'oversize message (65537 bytes)',
    clauseId: 'CT-3.size',
    path: '',
    rejectedIn: BOTH,
    // Valid JSON padded with whitespace: only the size is wrong.
    apply: (e) => {
      const json = JSON.stringify(e);
      return json + ' '.repeat(65537 - Buffer.byteLength(json, 'utf8'));
    },
  },
];

/** A valid event with exactly one corruption applied (drawn from CORRUPTIONS). */
export function corruptedEventArb(options: ValidEventOptions = {}): fc.Arbitrary<CorruptedEvent> {
  return fc
    .tuple(validEventArb(options), fc.constantFrom(...CORRUPTIONS))
    .map(([original, { apply, ...rest }]) => ({
      ...rest,
      original,
      body: apply(original),
    }));
}
