import { describe, expect, it } from 'vitest';
import { validateDlqEntry, type EpisodeEvent } from './contract.js';
import type { ChangeLogEntry } from './episode-store.js';
import { DEFAULT_POLICY } from './export-policy.js';
import { prepareExport } from './prepare-export.js';

function entry(payload: Partial<EpisodeEvent['payload']>, sensitive = false): ChangeLogEntry {
  const event: EpisodeEvent = {
    event_id: '01JD3ZV8X3N4Q2W5E6R7T8Y9ZA',
    event_type: 'episode.updated',
    tenant_id: 'acme',
    agent_id: 'agent-7',
    episode_id: '01JD3ZTZ0000000000000000AB',
    source_ts: '2026-11-24T10:15:30.123456Z',
    schema_version: 1,
    payload: {
      content_ref: 'continuum://acme/agent-7/episodes/01JD3ZTZ0000000000000000AB',
      tags: [],
      metadata: {},
      ...payload,
    },
  };
  return {
    seq: 1,
    event_id: event.event_id,
    tenant_id: 'acme',
    agent_id: 'agent-7',
    episode_id: event.episode_id,
    source_ts: event.source_ts,
    source_us: 0,
    sensitive,
    event,
  };
}

const decode = (data: Uint8Array): Record<string, unknown> =>
  JSON.parse(new TextDecoder().decode(data)) as Record<string, unknown>;

describe('prepareExport', () => {
  it('publishes a valid event on its subject with the contract msg id', () => {
    const out = prepareExport(entry({ summary: 'ok' }), DEFAULT_POLICY);
    expect(out).toMatchObject({
      kind: 'publish',
      subject: 'continuum.episode.v1.acme.agent-7',
      msgId: 'acme:agent-7:01JD3ZV8X3N4Q2W5E6R7T8Y9ZA',
    });
  });

  it('dead-letters a schema violation with a valid producer-stage DlqEntry naming the clause', () => {
    const out = prepareExport(entry({ metadata: { nested: { no: 1 } } as never }), DEFAULT_POLICY);
    expect(out.kind).toBe('dlq');
    if (out.kind !== 'dlq') return;
    const dlq = decode(out.data);
    expect(validateDlqEntry(dlq).ok).toBe(true);
    expect(dlq).toMatchObject({
      stage: 'producer',
      clause_id: 'CT-3.payload.metadata',
      subject: 'continuum.episode.v1.acme.agent-7',
      tenant_id: 'acme',
    });
    expect(out.subject).toBe('continuum.episode.dlq.v1.acme.agent-7');
  });

  it('dead-letters an event over 65536 bytes (CT-3.size) with raw truncated to 65536 bytes', () => {
    // Within every field limit an event stays near 63 KiB, so only an over-long field gets here.
    const big = entry({ summary: '\u{1F600}'.repeat(20_000) });
    expect(Buffer.byteLength(JSON.stringify(big.event))).toBeGreaterThan(65536);
    const out = prepareExport(big, DEFAULT_POLICY);
    expect(out.kind).toBe('dlq');
    if (out.kind !== 'dlq') return;
    const dlq = decode(out.data);
    expect(dlq.clause_id).toBe('CT-3.size');
    expect(Buffer.byteLength(dlq.raw as string)).toBeLessThanOrEqual(65536);
    expect(validateDlqEntry(dlq).ok).toBe(true);
  });

  it('blocks before validating: a sensitive invalid event is never dead-lettered (nothing leaves)', () => {
    expect(prepareExport(entry({ summary: 'x'.repeat(999) }, true), DEFAULT_POLICY)).toMatchObject({
      kind: 'blocked',
    });
  });
});
