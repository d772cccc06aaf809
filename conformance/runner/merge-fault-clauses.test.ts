import { describe, expect, it } from 'vitest';
import { CLAUSES, type ClauseId } from 'continuum-contract';
import type { ClauseStatus } from '../report/clause-status.js';
import { mergeFaultClauses } from './merge-fault-clauses.js';

const row = (id: ClauseId, status: ClauseStatus['status'], note: string): ClauseStatus => ({
  id,
  title: id,
  text: '',
  check: CLAUSES[id].check,
  side: CLAUSES[id].side,
  status,
  note,
  properties: ['p'],
  evidence: 1,
});

describe('mergeFaultClauses', () => {
  const table = [
    row('CT-4.dedup', 'passed', 'duplicates (10 runs)'),
    row('CT-6.export-retry', 'not-tested', 'producer clause'),
    row('CT-4.upsert', 'passed', 'upsert (10 runs)'),
    row('CT-4.consume', 'failed', 'violated in x'),
  ];
  const merged = mergeFaultClauses(
    table,
    new Map([
      ['CT-4.dedup', { status: 'failed' as const, note: 'faults: 2 projected twice' }],
      ['CT-6.export-retry', { status: 'passed' as const, note: 'faults: nothing lost' }],
      ['CT-4.upsert', { status: 'passed' as const, note: 'faults: rows match' }],
      ['CT-4.consume', { status: 'passed' as const, note: 'faults: ok' }],
    ]),
  );
  it('a fault failure wins over a pass', () => {
    expect(merged[0]).toMatchObject({ status: 'failed', note: 'faults: 2 projected twice' });
    expect(merged[0]?.properties).toContain('faults');
  });
  it('a fault pass fills an untested clause', () => {
    expect(merged[1]).toMatchObject({ status: 'passed', note: 'faults: nothing lost' });
  });
  it('a pass keeps both notes and adds the evidence; a property failure stays failed', () => {
    expect(merged[2]).toMatchObject({
      status: 'passed',
      note: 'upsert (10 runs); faults: rows match',
      evidence: 2,
    });
    expect(merged[3]).toMatchObject({ status: 'failed', note: 'violated in x' });
  });
});
