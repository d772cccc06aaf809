import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLAUSE_IDS, CONTRACT, type ClauseId } from 'continuum-contract';
import {
  CLAUSE_PROOFS,
  JUDGED_CLAUSES,
  PROOF_KINDS,
  UNPROVEN,
  clausesWithoutProof,
} from '../../conformance/fixtures/clause-proofs.js';
import { renderClausesDoc } from '../../conformance/fixtures/clauses-doc.js';
import { clauseStatuses } from '../../conformance/report/clause-status.js';
import type { ClauseInputs } from '../../conformance/report/clause-status.js';
import { mergeFaultClauses } from '../../conformance/runner/merge-fault-clauses.js';
import type { PropertyResult } from '../../conformance/runner/run-properties.js';

/** Both implementations under test, so no clause is left out for its side. */
const BOTH = ['producer', 'projector'] as const;

const ROOT = path.resolve(import.meta.dirname, '../..');
const read = (file: string): string => readFileSync(path.join(ROOT, file), 'utf8');
const neverPassed = CLAUSE_IDS.filter(
  (id) => CONTRACT.clauses[id].check === 'documented' || UNPROVEN[id] !== undefined,
);

/** Every way a run can call a clause passed: evidence, a producer verdict, an SLO, a fault verdict. */
const allPassing = (): ClauseInputs[] => {
  const everything = Object.fromEntries(CLAUSE_IDS.map((id) => [id, 3])) as Record<ClauseId, number>;
  const property: PropertyResult = {
    name: 'all',
    title: 'sees every clause',
    clauses: [...CLAUSE_IDS],
    status: 'passed',
    runs: 1,
    executions: 1,
    events: 1,
    durationMs: 1,
    seed: 1,
    violations: [],
    evidence: everything,
  };
  const passed = { status: 'passed' as const, note: 'seen', evidence: 3 };
  return [
    { sides: BOTH, properties: [property], slos: [], producer: new Map() },
    { sides: BOTH, properties: [], slos: [], producer: new Map(CLAUSE_IDS.map((id) => [id, passed])) },
    {
      sides: BOTH,
      properties: [],
      slos: CLAUSE_IDS.map((clauseId) => ({
        clauseId,
        title: clauseId,
        measured: 0,
        threshold: 1,
        unit: 'ms',
        samples: 3,
        status: 'passed' as const,
      })),
      producer: new Map(),
    },
  ];
};

describe('every clause the report can call passed has a proof that the kit can fail it', () => {
  it('each judged clause has a broken fixture, case or input that fails it, or a reason it has none', () => {
    expect(clausesWithoutProof()).toEqual([]);
  });

  it('a clause with a proof is not also listed as unproven', () => {
    expect(JUDGED_CLAUSES.filter((id) => UNPROVEN[id] !== undefined && CLAUSE_PROOFS[id].length > 0)).toEqual(
      [],
    );
  });

  it('proof tests exist and name their clause', () => {
    const broken: string[] = [];
    for (const kind of Object.values(PROOF_KINDS))
      if (kind.test !== '' && !existsSync(path.join(ROOT, kind.test))) broken.push(kind.test);
    for (const id of CLAUSE_IDS)
      for (const p of CLAUSE_PROOFS[id])
        if (p.kind === 'check-test') {
          const text = existsSync(path.join(ROOT, p.file)) ? read(p.file) : '';
          if (!text.includes(`'${p.test}'`) || !text.includes(id))
            broken.push(`${id}: ${p.file} "${p.test}"`);
        }
    expect(broken).toEqual([]);
  });

  it('documentation and unproven clauses are never passed, whatever a run saw', () => {
    expect(neverPassed.length).toBeGreaterThan(0);
    for (const input of allPassing()) {
      const rows = clauseStatuses(input);
      expect(
        rows.filter((r) => neverPassed.includes(r.id) && r.status !== 'not-tested').map((r) => r.id),
      ).toEqual([]);
      // The same inputs pass the proven clauses: the rule above is not vacuous.
      expect(rows.some((r) => r.status === 'passed')).toBe(true);
    }
    const faults = new Map(CLAUSE_IDS.map((id) => [id, { status: 'passed' as const, note: 'fault run' }]));
    const merged = mergeFaultClauses(
      clauseStatuses({ sides: BOTH, properties: [], slos: [], producer: new Map() }),
      faults,
    );
    expect(
      merged.filter((r) => neverPassed.includes(r.id) && r.status === 'passed').map((r) => r.id),
    ).toEqual([]);
    expect(merged.filter((r) => r.status === 'passed').length).toBeGreaterThan(0);
  });

  it('docs/CLAUSES.md is the rendered proof map (npm run docs:clauses)', () => {
    const doc = read('docs/CLAUSES.md');
    expect(doc).toBe(renderClausesDoc());
    for (const id of CLAUSE_IDS) expect(doc).toContain(`| \`${id}\` |`);
  });
});
