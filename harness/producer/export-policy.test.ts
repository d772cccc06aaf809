import { describe, expect, it } from 'vitest';
import type { EpisodeEvent } from './contract.js';
import { applyExportPolicy, DEFAULT_POLICY, parseExportPolicy } from './export-policy.js';
import { ProducerError } from './errors.js';

const event: EpisodeEvent = {
  event_id: '01JD3ZV8X3N4Q2W5E6R7T8Y9ZA',
  event_type: 'episode.created',
  tenant_id: 'acme',
  agent_id: 'agent-7',
  episode_id: '01JD3ZTZ0000000000000000AB',
  source_ts: '2026-11-24T10:15:30.123456Z',
  schema_version: 1,
  payload: {
    content_ref: 'continuum://acme/agent-7/episodes/01JD3ZTZ0000000000000000AB',
    summary: 'call 555-1234 or mail a@b.io',
    tags: ['555-1234'],
    metadata: { phone: '555-1234', n: 5, ok: true, none: null },
  },
};

describe('applyExportPolicy', () => {
  it('blocks a sensitive episode under the default policy and lets it out when allowed', () => {
    expect(applyExportPolicy(event, true, DEFAULT_POLICY)).toMatchObject({
      action: 'blocked',
      clauseId: 'CT-3.export-policy',
    });
    expect(applyExportPolicy(event, true, { allow_sensitive: true, redact_patterns: [] })).toEqual({
      action: 'publish',
      event,
    });
  });

  it('redacts every match in summary and metadata strings, and nothing else', () => {
    const out = applyExportPolicy(event, false, {
      allow_sensitive: false,
      redact_patterns: ['\\d{3}-\\d{4}', '[a-z]@[a-z]\\.io'],
    });
    expect(out.action).toBe('publish');
    if (out.action !== 'publish') return;
    expect(out.event.payload.summary).toBe('call [REDACTED] or mail [REDACTED]');
    expect(out.event.payload.metadata).toEqual({ phone: '[REDACTED]', n: 5, ok: true, none: null });
    expect(out.event.payload.tags).toEqual(['555-1234']); // tags are labels, outside the redaction step
    expect(event.payload.summary).toBe('call 555-1234 or mail a@b.io'); // the change-log copy is untouched
  });
});

describe('applyExportPolicy: delete of a sensitive episode', () => {
  const del: EpisodeEvent = { ...event, event_type: 'episode.deleted' };
  it('leaves as references only (no summary, empty tags and metadata) when exported before', () => {
    expect(applyExportPolicy(del, true, DEFAULT_POLICY, true)).toEqual({
      action: 'publish',
      event: { ...del, payload: { content_ref: event.payload.content_ref, tags: [], metadata: {} } },
    });
  });
  it('stays blocked when never exported, and other sensitive events stay blocked either way', () => {
    expect(applyExportPolicy(del, true, DEFAULT_POLICY, false).action).toBe('blocked');
    expect(applyExportPolicy(event, true, DEFAULT_POLICY, true).action).toBe('blocked');
  });
});

describe('parseExportPolicy', () => {
  it('accepts a well-formed policy and defaults redact_patterns', () => {
    expect(parseExportPolicy({ allow_sensitive: true })).toEqual({
      allow_sensitive: true,
      redact_patterns: [],
    });
  });

  it.each([
    [null, 'policy must be an object'],
    [{ allow_sensitive: 'true' }, 'allow_sensitive must be a boolean'],
    [{ allow_sensitive: false, redact_patterns: 'x' }, 'redact_patterns must be an array'],
    [{ allow_sensitive: false, redact_patterns: ['('] }, 'not a valid regular expression'],
    [{ allow_sensitive: false, extra: 1 }, "unknown policy field 'extra'"],
  ])('refuses %j', (value, message) => {
    expect(() => parseExportPolicy(value)).toThrow(ProducerError);
    expect(() => parseExportPolicy(value)).toThrow(message);
  });
});
