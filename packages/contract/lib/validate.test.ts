import { describe, expect, it } from 'vitest';
import { validators } from '../generated/validators.js';
import {
  CONTRACT,
  DEFAULT_VALIDATION_MODE,
  decodeEpisodeEvent,
  validateAuditEntry,
  validateBackfillRequest,
  validateCacheEntry,
  validateDlqEntry,
  validateEpisodeEvent,
  type ValidationMode,
} from './index.js';

const EVENT = {
  event_id: '01JD3ZV8X3N4Q2W5E6R7T8Y9ZA',
  event_type: 'episode.created',
  tenant_id: 'acme',
  agent_id: 'agent-7',
  episode_id: '01JD3ZTZ0000000000000000AB',
  source_ts: '2026-11-24T10:15:30.123456Z',
  schema_version: 1,
  payload: {
    content_ref: 'continuum://acme/episodes/01JD3ZTZ0000000000000000AB',
    summary: 'Customer asked about invoice 4411',
    tags: ['billing', 'support'],
    metadata: { channel: 'chat', turns: 6 },
  },
};

type Row = [string, unknown, boolean];

function withField(path: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(EVENT) as Record<string, unknown>;
  const keys = path.split('.');
  const last = keys.pop() as string;
  const parent = keys.reduce<Record<string, unknown>>((n, k) => n[k] as Record<string, unknown>, copy);
  if (value === undefined) delete parent[last];
  else parent[last] = value;
  return copy;
}

function check(path: string, clause: string, rows: Row[]): void {
  describe(`${path} (${clause})`, () => {
    it.each(rows)('%s -> %s', (_label, value, ok) => {
      for (const mode of ['producer', 'consumer'] as ValidationMode[]) {
        const result = validateEpisodeEvent(withField(path, value), mode);
        expect(result.ok, `${mode}`).toBe(ok);
        if (!result.ok) expect([...new Set(result.errors.map((e) => e.clauseId))]).toEqual([clause]);
      }
    });
  });
}

// One table per format decision in schemas/ (each row: spelling, value, accepted?).
check('event_id', 'CT-3.envelope.event_id', [
  ['canonical ULID', '01JD3ZV8X3N4Q2W5E6R7T8Y9ZA', true],
  ['canonical UUIDv7', '0193591f-6e1a-7cc3-8a41-2b7c9d0e1f22', true],
  ['lower-case ULID', '01jd3zv8x3n4q2w5e6r7t8y9za', false],
  ['ULID with L', '01JD3ZV8X3N4Q2W5E6R7T8Y9ZL', false],
  ['UUIDv4', '0193591f-6e1a-4cc3-8a41-2b7c9d0e1f22', false],
  ['upper-case UUIDv7', '0193591F-6E1A-7CC3-8A41-2B7C9D0E1F22', false],
  ['urn:uuid: prefix', 'urn:uuid:0193591f-6e1a-7cc3-8a41-2b7c9d0e1f22', false],
]);
check('episode_id', 'CT-3.envelope.episode_id', [
  ['ULID', '7ZZZZZZZZZZZZZZZZZZZZZZZZZ', true],
  ['ULID over 128 bits', '8ZZZZZZZZZZZZZZZZZZZZZZZZZ', false],
  ['UUIDv7', '0193591f-6e1a-7cc3-8a41-2b7c9d0e1f22', false],
]);
check('source_ts', 'CT-3.envelope.source_ts', [
  ['no fraction', '2026-11-24T10:15:30Z', true],
  ['1 digit', '2026-11-24T10:15:30.5Z', true],
  ['6 digits', '2026-11-24T10:15:30.123456Z', true],
  ['leap day 2024', '2024-02-29T00:00:00Z', true],
  ['leap day 2000', '2000-02-29T23:59:59.999999Z', true],
  ['Feb 29 2100', '2100-02-29T00:00:00Z', false],
  ['Feb 29 2025', '2025-02-29T00:00:00Z', false],
  ['Feb 30', '2026-02-30T00:00:00Z', false],
  ['Jun 31', '2026-06-31T00:00:00Z', false],
  ['7 digits', '2026-11-24T10:15:30.1234567Z', false],
  ['+00:00 offset', '2026-11-24T10:15:30+00:00', false],
  ['naive', '2026-11-24T10:15:30', false],
  ['lower-case t', '2026-11-24t10:15:30Z', false],
  ['leap second', '2026-12-31T23:59:60Z', false],
]);
check('schema_version', 'CT-3.envelope.schema_version', [
  ['integer 1', 1, true],
  ['string "1"', '1', false],
  ['true', true, false],
  ['2', 2, false],
]);
check('tenant_id', 'CT-3.envelope.tenant_id', [
  ['lower-case with - and _', 'acme-eu_1', true],
  ['64 chars', 'a'.repeat(64), true],
  ['65 chars', 'a'.repeat(65), false],
  ['empty', '', false],
  ['":"', 'a:b', false],
  ['"."', 'a.b', false],
  ['"*"', '*', false],
  ['">"', '>', false],
  ['space', 'a b', false],
  ['upper case', 'Acme', false],
  ['reserved "_" prefix', '_invalid', false],
]);
check('event_type', 'CT-3.envelope.event_type', [
  ['episode.summarized', 'episode.summarized', true],
  ['episode.archived', 'episode.archived', false],
  ['EPISODE.CREATED', 'EPISODE.CREATED', false],
]);
check('payload.content_ref', 'CT-3.payload.content_ref', [
  ['512 chars', `s3:${'a'.repeat(509)}`, true],
  ['513 chars', `s3:${'a'.repeat(510)}`, false],
  ['prose', 'the episode body', false],
]);
check('payload.summary', 'CT-3.payload.summary', [
  ['absent', undefined, true],
  ['280 code points incl. astral', '😀'.repeat(280), true],
  ['281 chars', 'x'.repeat(281), false],
  ['null', null, false],
  ['tab', 'a\tb', false],
]);
check('payload.tags', 'CT-3.payload.tags', [
  ['32 unique', Array.from({ length: 32 }, (_, i) => `t${i}`), true],
  ['empty', [], true],
  ['33', Array.from({ length: 33 }, (_, i) => `t${i}`), false],
  ['duplicate', ['a', 'a'], false],
  ['duplicate __proto__', ['__proto__', '__proto__'], false],
]);
check('payload.embedding_ref', 'CT-3.payload.embedding_ref', [
  ['absent', undefined, true],
  ['null', null, false],
]);
check('payload.metadata', 'CT-3.payload.metadata', [
  ['scalars', { a: 'x', b: 1.5, c: true, d: null }, true],
  ['32 keys', Object.fromEntries(Array.from({ length: 32 }, (_, i) => [`k${i}`, i])), true],
  ['33 keys', Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, i])), false],
  ['nested', { a: { b: 1 } }, false],
  ['256-char value', { a: 'x'.repeat(256) }, true],
  ['257-char value', { a: 'x'.repeat(257) }, false],
]);

describe('unknown fields (CT-3.unknown-fields)', () => {
  it('producers reject them at any level, consumers ignore them', () => {
    for (const doc of [withField('extra', 1), withField('payload.extra', 'x')]) {
      const producer = validateEpisodeEvent(doc, 'producer');
      expect(producer.ok ? [] : producer.errors.map((e) => e.clauseId)).toEqual(['CT-3.unknown-fields']);
      expect(validateEpisodeEvent(doc, 'consumer').ok).toBe(true);
    }
  });
  it('defaults to producer mode, as the CLI does', () => {
    const result = validateEpisodeEvent(withField('extra', 1));
    expect(result.ok ? [] : result.errors.map((e) => e.clauseId)).toEqual(['CT-3.unknown-fields']);
    expect(DEFAULT_VALIDATION_MODE).toBe('producer');
  });
});

describe('decodeEpisodeEvent', () => {
  const json = JSON.stringify(EVENT);
  it('accepts exactly 65536 bytes and rejects 65537 (CT-3.size), bytes or string', () => {
    const at = json + ' '.repeat(65536 - json.length);
    expect(decodeEpisodeEvent(at).ok).toBe(true);
    expect(decodeEpisodeEvent(Buffer.from(at)).ok).toBe(true);
    for (const body of [`${at} `, Buffer.from(`${at} `)]) {
      const result = decodeEpisodeEvent(body);
      expect(result.ok ? [] : result.errors.map((e) => [e.clauseId, e.path])).toEqual([['CT-3.size', '']]);
    }
  });
  it('counts UTF-8 bytes, not characters', () => {
    const padded =
      json.replace('"Customer', `"${'é'.repeat(200)}Customer`) + ' '.repeat(65536 - json.length - 300);
    const result = decodeEpisodeEvent(padded);
    expect(result.ok ? [] : result.errors.map((e) => e.clauseId)).toContain('CT-3.size');
  });
  it.each([
    ['not JSON', 'nope'],
    ['truncated', json.slice(0, 40)],
    ['array', '[]'],
    ['number', '1'],
    ['null', 'null'],
    ['invalid UTF-8', Uint8Array.from([0x7b, 0xff, 0x7d])],
  ])('%s -> CT-3.json', (_label, body) => {
    const result = decodeEpisodeEvent(body);
    expect(result.ok ? [] : result.errors.map((e) => [e.clauseId, e.path])).toEqual([['CT-3.json', '']]);
  });
  it('accepts unknown fields nested to the contract bound and rejects one level more (CT-3.size)', () => {
    const max = CONTRACT.limits.max_nesting_depth;
    // The body is level 1, so an unknown field's value may nest max - 1 deep.
    const nest = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
    const at = `${json.slice(0, -1)},"ck_future":${nest(max - 1)}}`;
    expect(decodeEpisodeEvent(at, 'consumer').ok).toBe(true);
    for (const body of [`${json.slice(0, -1)},"ck_future":${nest(max)}}`, nest(10_000)]) {
      const result = decodeEpisodeEvent(body, 'consumer');
      expect(result.ok ? [] : result.errors.map((e) => [e.clauseId, e.keyword])).toEqual([
        ['CT-3.size', 'depth'],
      ]);
    }
  });
  it('reports every violation of an invalid event with a JSON pointer', () => {
    const bad = withField('payload.tags', ['a', 'a']);
    bad.schema_version = '1';
    bad.source_ts = '2026-02-30T00:00:00Z';
    const result = decodeEpisodeEvent(JSON.stringify(bad));
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect([...new Set(result.errors.map((e) => `${e.clauseId} ${e.path}`))].sort()).toEqual([
        'CT-3.envelope.schema_version /schema_version',
        'CT-3.envelope.source_ts /source_ts',
        'CT-3.payload.tags /payload/tags',
      ]);
    }
  });
});

describe('auxiliary validators', () => {
  it('backfill requests need from_ts < to_ts and real dates (CT-8.backfill-params)', () => {
    const ok = { from_ts: '2026-01-01T00:00:00Z', to_ts: '2026-01-02T00:00:00Z', dry_run: true };
    expect(validateBackfillRequest(ok).ok).toBe(true);
    for (const bad of [
      { ...ok, to_ts: ok.from_ts },
      { ...ok, to_ts: '2026-02-30T00:00:00Z' },
      { ...ok, dry_run: 'yes' },
      { ...ok, tenant_id: 'A:B' },
    ]) {
      const result = validateBackfillRequest(bad);
      expect(result.ok ? [] : [...new Set(result.errors.map((e) => e.clauseId))]).toEqual([
        'CT-8.backfill-params',
      ]);
    }
  });
  it('DLQ, cache and audit entries cite their clause', () => {
    const dlq = validateDlqEntry({ reason: 'x' });
    expect(dlq.ok ? [] : [...new Set(dlq.errors.map((e) => e.clauseId))]).toEqual(['CT-6.dlq']);
    const cache = validateCacheEntry({
      content_ref: 'continuum://a/b',
      tags: [],
      last_event_id: EVENT.event_id,
      last_event_ts: EVENT.source_ts,
    });
    expect(cache.ok).toBe(true);
    const body = validateCacheEntry({ ...(cache.ok ? cache.value : {}), body: 'the episode' });
    expect(body.ok ? [] : body.errors.map((e) => e.clauseId)).toEqual(['CT-5.no-body']);
    const audit = validateAuditEntry({
      actor: 'ops',
      action: 'backfill',
      params: {},
      outcome: 'ok',
      at: EVENT.source_ts,
    });
    expect(audit.ok).toBe(true);
    expect(validateAuditEntry({ actor: 'ops' }).ok).toBe(false);
  });
});

// The single-walk check (generated/validators.ts `check`) decides the valid path on its own, so
// each of its optimised checks must reject by itself, not only through the ajv fallback.

const metadataOf = (entries: [string, unknown][]) => Object.fromEntries(entries);
const manyKeys = (n: number) => metadataOf(Array.from({ length: n }, (_, i) => [`k${i}`, i]));

// [what, path, value, clause]
const REJECTED: [string, string, unknown, string][] = [
  ['a 27-char ULID', 'event_id', '01JD3ZV8X3N4Q2W5E6R7T8Y9ZAB', 'CT-3.envelope.event_id'],
  ['a 25-char ULID', 'event_id', '01JD3ZV8X3N4Q2W5E6R7T8Y9Z', 'CT-3.envelope.event_id'],
  ['a ULID with an astral char', 'event_id', '01JD3ZV8X3N4Q2W5E6R7T8Y\u{1F680}A', 'CT-3.envelope.event_id'],
  ['a 37-char UUIDv7', 'event_id', '0193591f-6e1a-7cc3-8a41-2b7c9d0e1f22a', 'CT-3.envelope.event_id'],
  ['a 35-char UUIDv7', 'event_id', '0193591f-6e1a-7cc3-8a41-2b7c9d0e1f2', 'CT-3.envelope.event_id'],
  ['a 27-char episode_id', 'episode_id', '01JD3ZTZ0000000000000000ABC', 'CT-3.envelope.episode_id'],
  [
    'a 26-unit episode_id of 25 code points',
    'episode_id',
    '01JD3ZTZ00000000000000\u{1F680}AB',
    'CT-3.envelope.episode_id',
  ],
  ['an empty tenant_id', 'tenant_id', '', 'CT-3.envelope.tenant_id'],
  ['a 65-char tenant_id', 'tenant_id', 'a'.repeat(65), 'CT-3.envelope.tenant_id'],
  ['a 65-char agent_id', 'agent_id', 'a'.repeat(65), 'CT-3.envelope.agent_id'],
  ['a 7-digit fraction (28 chars)', 'source_ts', '2026-11-24T10:15:30.1234567Z', 'CT-3.envelope.source_ts'],
  ['a 19-char timestamp', 'source_ts', '2026-11-24T10:15:30', 'CT-3.envelope.source_ts'],
  ['a timestamp with an astral char', 'source_ts', '2026-11-24T10:15:3\u{1F680}Z', 'CT-3.envelope.source_ts'],
  ['a ref without a colon', 'payload.content_ref', 'continuum//acme/x', 'CT-3.payload.content_ref'],
  ['a ref with a space', 'payload.content_ref', 'continuum://acme/x y', 'CT-3.payload.content_ref'],
  [
    'a ref with a no-break space',
    'payload.content_ref',
    'continuum://acme/x\u00a0y',
    'CT-3.payload.content_ref',
  ],
  ['a ref with a 33-char scheme', 'payload.content_ref', `${'s'.repeat(33)}:x`, 'CT-3.payload.content_ref'],
  ['a ref with nothing after the colon', 'payload.content_ref', 's3:', 'CT-3.payload.content_ref'],
  ['a 513-char ref', 'payload.content_ref', `s3:${'x'.repeat(510)}`, 'CT-3.payload.content_ref'],
  ['an embedding_ref with a tab', 'payload.embedding_ref', 's3:a\tb', 'CT-3.payload.embedding_ref'],
  ['a summary with a control char', 'payload.summary', 'a\u0007b', 'CT-3.payload.summary'],
  ['a 281-char summary', 'payload.summary', 'x'.repeat(281), 'CT-3.payload.summary'],
  ['duplicate tags', 'payload.tags', ['billing', 'support', 'billing'], 'CT-3.payload.tags'],
  ['a tag with whitespace', 'payload.tags', ['bill ing'], 'CT-3.payload.tags'],
  ['an empty tag', 'payload.tags', [''], 'CT-3.payload.tags'],
  ['a 65-char tag', 'payload.tags', ['t'.repeat(65)], 'CT-3.payload.tags'],
  ['33 tags', 'payload.tags', Array.from({ length: 33 }, (_, i) => `t${i}`), 'CT-3.payload.tags'],
  [
    'a metadata key with a bad char',
    'payload.metadata',
    metadataOf([['bad key', 1]]),
    'CT-3.payload.metadata',
  ],
  ['a metadata key with a colon', 'payload.metadata', metadataOf([['a:b', 1]]), 'CT-3.payload.metadata'],
  ['a 65-char metadata key', 'payload.metadata', metadataOf([['k'.repeat(65), 1]]), 'CT-3.payload.metadata'],
  ['an empty metadata key', 'payload.metadata', metadataOf([['', 1]]), 'CT-3.payload.metadata'],
  ['a 33rd metadata key', 'payload.metadata', manyKeys(33), 'CT-3.payload.metadata'],
  ['a nested metadata value', 'payload.metadata', { a: { b: 1 } }, 'CT-3.payload.metadata'],
  ['a 257-char metadata string', 'payload.metadata', { a: 'v'.repeat(257) }, 'CT-3.payload.metadata'],
];

const MODES: ValidationMode[] = ['consumer', 'producer'];

describe('every rewritten fast check still rejects on its own', () => {
  it('accepts the base event, 32 metadata keys and 32 tags', () => {
    for (const event of [
      EVENT,
      withField('payload.metadata', manyKeys(32)),
      withField(
        'payload.tags',
        Array.from({ length: 32 }, (_, i) => `t${i}`),
      ),
      withField('payload.content_ref', `${'s'.repeat(32)}:x`),
    ]) {
      expect(validators.episodeEventConsumer.check(event)).toBe(true);
      expect(validators.episodeEventProducer.check(event)).toBe(true);
    }
  });

  for (const [what, path, value, clause] of REJECTED) {
    it(`rejects ${what}`, () => {
      const event = withField(path, value);
      expect(validators.episodeEventConsumer.check(event)).toBe(false);
      expect(validators.episodeEventProducer.check(event)).toBe(false);
      for (const mode of MODES) {
        const result = validateEpisodeEvent(event, mode);
        expect(result.ok, mode).toBe(false);
        if (!result.ok) expect(result.errors.map((e) => e.clauseId)).toContain(clause);
      }
    });
  }
});
