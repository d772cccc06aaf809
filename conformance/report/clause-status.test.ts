import { describe, expect, it } from 'vitest';
import { CLAUSES, type ClauseId } from 'continuum-contract';
import type { PropertyResult } from '../runner/run-properties.js';
import { evaluateSlos, CONTRACT_SLO } from '../runner/slo.js';
import { clauseStatuses } from './clause-status.js';
import type { ClauseInputs } from './clause-status.js';
import type { ConformanceReport } from './conformance-report.js';
import { formatSummary, verdictLabel } from './format-summary.js';
import { htmlReport } from './html-report.js';
import type { TestedSide } from './run-sides.js';

const duplicates: PropertyResult = {
  name: 'duplicates',
  title: 'redeliveries change nothing',
  clauses: ['CT-4.dedup', 'CT-3.idempotency', 'CT-9.duplicate-rate'],
  status: 'passed',
  runs: 4,
  executions: 4,
  events: 40,
  durationMs: 1000,
  seed: 1,
  violations: [],
  evidence: { 'CT-4.dedup': 12, 'CT-3.idempotency': 12 },
};

const measured = { publishMs: [3, 4], lagMs: [50, 60], reapplied: 0, applied: 40, keysSeen: 0, events: 40 };

function report(sides: TestedSide[], extra: Partial<ClauseInputs> = {}): ConformanceReport {
  const slos = evaluateSlos(measured, CONTRACT_SLO);
  const clauses = clauseStatuses({ sides, properties: [duplicates], slos, producer: new Map(), ...extra });
  return {
    kit: 'continuum-kit',
    kitVersion: '0.0.0',
    specHash: 'h',
    target: sides.join('+'),
    sides,
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 1000,
    seed: 1,
    numRuns: 4,
    conformant: true,
    properties: [duplicates],
    clauses,
    slos,
    throughput: { properties: 1, executions: 4, events: 40, eventsPerSecond: 40 },
    latency: { publishMs: measured.publishMs, lagMs: measured.lagMs },
    scheduleFiles: {},
    notes: [],
  };
}

const status = (r: ConformanceReport, id: ClauseId) => r.clauses.find((c) => c.id === id);
const idsOfSide = (side: string): ClauseId[] =>
  Object.values(CLAUSES)
    .filter((c) => c.side === side)
    .map((c) => c.id);

describe('clause statuses by side', () => {
  it('a projector run leaves every producer-only clause not-selected, naming the side, and is not partial', () => {
    const r = report(['projector']);
    const producerOnly = idsOfSide('producer');
    expect(producerOnly.length).toBeGreaterThan(5);
    for (const id of producerOnly) {
      expect(status(r, id)?.status, id).toBe('not-selected');
      expect(status(r, id)?.note, id).toMatch(/^binds the producer; this run tests a projector/);
    }
    // The SLO the kit could only measure on its own publishes keeps that figure in the note.
    expect(status(r, 'CT-9.publish-p99')?.note).toMatch(/the kit's own publishes/);
    expect(status(r, 'CT-4.dedup')?.status).toBe('passed');
    expect(status(r, 'CT-7.audit')?.note).toMatch(/^binds both sides; no projector property covers it/);
    expect(status(r, 'CT-1.scope')?.status).toBe('not-tested');
    expect(r.clauses.filter((c) => c.status === 'not-selected')).toHaveLength(producerOnly.length);
    expect(verdictLabel(r)).toBe('passed');
    const summary = formatSummary(r, 'out');
    expect(summary).toContain(
      // CT-4.dedup, CT-3.idempotency, CT-9.lag-p95, CT-9.duplicate-rate.
      `CONFORMANT: 4 clauses passed, 0 failed, ${r.clauses.filter((c) => c.status === 'not-tested').length} not tested, ${producerOnly.length} not selected (${producerOnly.length} bind only an implementation this projector run does not test)`,
    );
    expect(htmlReport(r)).toContain('continuum-kit conformance: projector <span');
    expect(htmlReport(r)).not.toContain('partial');
  });

  it('a projector run with --property left-outs is partial by those clauses only', () => {
    const r = report(['projector'], { notSelected: new Set<ClauseId>(['CT-4.guard', 'CT-4.tie-break']) });
    expect(status(r, 'CT-4.guard')?.note).toBe('its properties were not selected (--property / --clauses)');
    expect(verdictLabel(r)).toBe('passed (partial: 2 clauses not selected)');
    expect(formatSummary(r, 'out')).toContain('CONFORMANT (partial: 2 clauses not selected)');
    expect(htmlReport(r)).toContain('passed (partial: 2 clauses not selected)');
  });

  it('a producer run leaves the projector-only clauses not-selected; a failure still shows as failed', () => {
    const failing: PropertyResult = {
      ...duplicates,
      status: 'failed',
      violations: [{ clauseId: 'CT-4.dedup', message: 'applied twice' }],
    };
    const r = report(['producer'], { properties: [failing] });
    for (const id of idsOfSide('projector').filter((c) => c !== 'CT-4.dedup')) {
      expect(status(r, id)?.status, id).toBe('not-selected');
      expect(status(r, id)?.note, id).toMatch(/^binds the projector; this run tests a producer/);
    }
    expect(status(r, 'CT-4.dedup')?.status).toBe('failed');
    expect(status(r, 'CT-3.msg-id')?.note).toBe('binds the producer; no property of this kit covers it yet');
  });

  it('a run of both sides selects every clause', () => {
    const r = report(['projector', 'producer']);
    expect(r.clauses.filter((c) => c.status === 'not-selected')).toEqual([]);
  });
});
