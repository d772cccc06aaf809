import { describe, expect, it } from 'vitest';
import { validators } from '../generated/validators.js';
import { validateEpisodeEvent, type ValidationMode } from './index.js';

// The single-walk check (generated/validators.ts `check`) decides the valid path on its own, so
// each of its optimised checks must reject by itself, not only through the ajv fallback.

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
    embedding_ref: 's3:vectors/01JD3ZTZ',
    metadata: { channel: 'chat', turns: 6 },
  },
};

function withField(path: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(EVENT) as Record<string, unknown>;
  const keys = path.split('.');
  const last = keys.pop() as string;
  const parent = keys.reduce<Record<string, unknown>>((n, k) => n[k] as Record<string, unknown>, copy);
  parent[last] = value;
  return copy;
}

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
