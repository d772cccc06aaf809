import { describe, expect, it } from 'vitest';
import { checkFaultRun, type FaultRunData, type WrittenEvent } from './check-fault-run.js';

const ev = (n: number, episode = 'E1', type = 'episode.created'): WrittenEvent => ({
  event_id: `ev${n}`,
  episode_id: episode,
  atMs: 1000 + n,
  latencyMs: 1,
  inFault: false,
  event: {
    event_id: `ev${n}`,
    event_type: type,
    tenant_id: 't',
    agent_id: 'a',
    episode_id: episode,
    source_ts: `2026-01-01T00:00:0${n}Z`,
    payload: { content_ref: 'c', tags: [], metadata: {} },
  },
});

function data(over: Partial<FaultRunData> = {}): FaultRunData {
  const written = over.written ?? [ev(1), ev(2, 'E1', 'episode.updated')];
  return {
    written,
    writeFailures: [],
    windows: [],
    snapshots: [],
    final: new Map(
      written.map((w) => [
        w.event_id,
        { event_id: w.event_id, projectedAtMs: w.atMs + 10, outcome: 'applied' },
      ]),
    ),
    rows: [{ episode_id: 'E1', last_event_id: 'ev2', deleted: false }],
    streamCopies: new Map(written.map((w) => [w.event_id, 1])),
    faultsInjected: 1,
    projectorKills: 1,
    projectorUnexpectedExits: 0,
    kinds: new Set(['projector-kill']),
    auth: [],
    localWriteBoundMs: 50,
    duplicateRateMax: 0.001,
    durationMs: 1,
    ...over,
  };
}

describe('checkFaultRun', () => {
  it('passes a clean run and reports its figures', () => {
    const r = checkFaultRun(data());
    expect(r.violations).toEqual([]);
    expect(r.figures).toMatchObject({
      episodesWritten: 2,
      eventsProjected: 2,
      lost: 0,
      duplicatesProjected: 0,
    });
    expect(r.clauses.find((c) => c.clauseId === 'CT-4.ack-after-commit')?.status).toBe('passed');
  });

  it('names CT-4.ack-after-commit for events on the stream but never projected after a kill, CT-6.export-retry for events never published', () => {
    const d = data();
    d.final.delete('ev2');
    expect(checkFaultRun(d).violations.map((v) => v.clauseId)).toEqual(['CT-4.ack-after-commit']);
    d.streamCopies.delete('ev2');
    const r = checkFaultRun(d);
    expect(r.violations.map((v) => v.clauseId)).toEqual(['CT-6.export-retry']);
    expect(r.figures).toMatchObject({ lost: 1, lostBeforeStream: 1 });
  });

  it('names CT-4.dedup and CT-9.duplicate-rate when a projected event is projected again', () => {
    const r = checkFaultRun(data({ snapshots: [new Map([['ev1', 1]])] }));
    expect(r.violations.map((v) => v.clauseId).sort()).toEqual(['CT-4.dedup', 'CT-9.duplicate-rate']);
    expect(r.figures.duplicatesProjected).toBe(1);
  });

  it('names CT-4.upsert when a row differs from the model', () => {
    const r = checkFaultRun(data({ rows: [{ episode_id: 'E1', last_event_id: 'ev1', deleted: false }] }));
    expect(r.violations.map((v) => v.clauseId)).toEqual(['CT-4.upsert']);
  });

  it('names CT-6.local-writes when writes under fault exceed the bound or fail, and reports the ratio', () => {
    const slow = { ...ev(3, 'E2'), inFault: true, latencyMs: 900 };
    const d = data({
      written: [ev(1), ev(2, 'E1', 'episode.updated'), slow],
      rows: [
        { episode_id: 'E1', last_event_id: 'ev2', deleted: false },
        { episode_id: 'E2', last_event_id: 'ev3', deleted: false },
      ],
    });
    const r = checkFaultRun(d);
    expect(r.violations.map((v) => v.clauseId)).toEqual(['CT-6.local-writes']);
    expect(r.figures.localWrite.ratio).toBe(900);
    expect(
      checkFaultRun(data({ writeFailures: ['create #1: disk full'] })).violations.map((v) => v.clauseId),
    ).toEqual(['CT-6.local-writes']);
  });

  it('scales the local-write bound with a loaded run, but still catches writes that wait out a fault', () => {
    const rows = [
      { episode_id: 'E1', last_event_id: 'ev2', deleted: false },
      { episode_id: 'E2', last_event_id: 'ev3', deleted: false },
    ];
    const loaded = (latencyMs: number) => [
      { ...ev(1), latencyMs: 58 },
      { ...ev(2, 'E1', 'episode.updated'), latencyMs: 58 },
      { ...ev(3, 'E2'), inFault: true, latencyMs },
    ];
    expect(checkFaultRun(data({ written: loaded(69), rows })).violations).toEqual([]);
    expect(checkFaultRun(data({ written: loaded(829), rows })).violations.map((v) => v.clauseId)).toEqual([
      'CT-6.local-writes',
    ]);
  });

  it('turns a failed auth probe into a violation of its clause', () => {
    const r = checkFaultRun(
      data({
        auth: [
          { clauseId: 'CT-7.tenant-isolation', check: 'cross-tenant-publish', ok: false, detail: 'accepted' },
        ],
      }),
    );
    expect(r.violations.map((v) => v.clauseId)).toEqual(['CT-7.tenant-isolation']);
    expect(r.clauses.find((c) => c.clauseId === 'CT-7.tenant-isolation')?.status).toBe('failed');
  });
});

describe('checkFaultRun at soak size', () => {
  it('reports the worst lag of 200,000 events without overflowing the stack', () => {
    const written = Array.from({ length: 200_000 }, (_, n) => ({
      ...ev(n % 9),
      event_id: `ev${n}`,
      atMs: n,
    }));
    const final = new Map(
      written.map((w) => [
        w.event_id,
        { event_id: w.event_id, projectedAtMs: w.atMs + (w.atMs === 150_000 ? 777 : 5), outcome: 'applied' },
      ]),
    );
    const r = checkFaultRun(
      data({ written, final, streamCopies: new Map(written.map((w) => [w.event_id, 1])), kinds: new Set() }),
    );
    expect(r.figures.worstLagAfterRecoveryMs).toBe(777);
  });
});
