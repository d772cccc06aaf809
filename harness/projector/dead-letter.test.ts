import { describe, expect, it } from 'vitest';
import { CONTRACT, isUlid, validateDlqEntry } from 'continuum-contract';
import { deadLetter, deadLetterSubject, dlqClauseId, dlqIdFor } from './dead-letter.js';

describe('deadLetter', () => {
  it('derives the same ULID dlq_id for a redelivery of the same stream message, another for another', () => {
    const a = dlqIdFor('S', 41, 1_795_000_000_000);
    expect(isUlid(a)).toBe(true);
    expect(dlqIdFor('S', 41, 1_795_000_000_000)).toBe(a);
    expect(dlqIdFor('S', 42, 1_795_000_000_000)).not.toBe(a);
  });

  it('builds a schema-valid entry scoped by the subject, or _invalid without one', () => {
    const data = new Uint8Array([0x7b, 0xff]);
    const scoped = deadLetter({
      subject: 'continuum.episode.v1.t.a',
      data,
      stream: 'S',
      seq: 1,
      timeMs: 1,
      scope: { tenantId: 't', agentId: 'a' },
      reason: 'bad',
      clauseId: 'CT-3.json',
    });
    expect(validateDlqEntry(scoped.entry)).toMatchObject({ ok: true });
    expect(deadLetterSubject(scoped.entry)).toBe('continuum.episode.dlq.v1.t.a');
    expect(scoped.eventJson).toBeNull();
    const bare = deadLetter({
      subject: 'x.y',
      data,
      stream: 'S',
      seq: 2,
      timeMs: 1,
      reason: 'bad',
      clauseId: 'CT-3.topic',
    });
    expect(deadLetterSubject(bare.entry)).toBe('continuum.episode.dlq.v1._invalid._invalid');
  });

  it('keeps parsed JSON for the table unless jsonb cannot hold it', () => {
    const base = {
      subject: 's',
      data: new Uint8Array(),
      stream: 'S',
      seq: 3,
      timeMs: 1,
      reason: 'r',
      clauseId: 'CT-4.dlq',
    };
    expect(deadLetter({ ...base, parsed: { event_id: 'e' } }).eventJson).toBe('{"event_id":"e"}');
    expect(deadLetter({ ...base, parsed: { k: 'a\u0000b' } }).eventJson).toBeNull();
    expect(deadLetter({ ...base, parsed: { k: '\ud800' } }).eventJson).toBeNull();
    expect(deadLetter({ ...base, parsed: null }).eventJson).toBeNull();
    expect(deadLetter({ ...base, parsed: [1, 2] }).eventJson).toBeNull();
  });

  it('keeps the exact clause the spec defines and falls back to CT-4.dlq', () => {
    expect(dlqClauseId('CT-4.subject-match')).toBe('CT-4.subject-match');
    expect(dlqClauseId('CT-3.payload.content_ref')).toBe('CT-3.payload.content_ref');
    expect(dlqClauseId('CT-3.envelope.event_id')).toBe('CT-3.envelope.event_id');
    expect(dlqClauseId('CT-99.unknown')).toBe('CT-4.dlq');
  });

  it('keeps a parsed form nested past the contract bound as raw text only, without throwing', () => {
    const depth = 10_000;
    const text = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    const record = deadLetter({
      subject: 'continuum.episode.v1.t.a',
      data: new TextEncoder().encode(text),
      stream: 'S',
      seq: 4,
      timeMs: 1,
      scope: { tenantId: 't', agentId: 'a' },
      reason: 'too deep',
      clauseId: 'CT-3.size',
      parsed: JSON.parse(text) as unknown,
    });
    expect(record.eventJson).toBeNull();
    expect(record.entry.raw).toBe(text);
    expect(validateDlqEntry(record.entry)).toMatchObject({ ok: true });
  });

  it('cuts raw so that the serialised entry fits the DLQ stream, even when escaping inflates it', () => {
    const data = new Uint8Array(65_536).fill(0x01);
    const record = deadLetter({
      subject: 'continuum.episode.v1.t.a',
      data,
      stream: 'S',
      seq: 5,
      timeMs: 1,
      reason: 'control bytes',
      clauseId: 'CT-3.json',
    });
    const size = Buffer.byteLength(JSON.stringify(record.entry));
    expect(size).toBeLessThanOrEqual(CONTRACT.limits.max_dlq_entry_bytes);
    expect(record.entry.raw.length).toBeGreaterThan(0);
    expect(data.length).toBeGreaterThan(record.entry.raw.length);
  });
});
