import { CLAUSES, type ClauseCheck, type ClauseId, type ClauseSide } from 'continuum-contract';
import type { ClauseState, ClauseVerdict } from '../core/verdict.js';
import type { PropertyResult } from '../runner/run-properties.js';
import type { SloResult } from '../runner/slo.js';
import { outsideRun } from './run-sides.js';
import type { TestedSide } from './run-sides.js';

export type { ClauseState };

/** One row of the report: a clause from asyncapi.yaml x-clauses and what the run found. */
export interface ClauseStatus {
  id: ClauseId;
  title: string;
  text: string;
  check: ClauseCheck;
  /** The implementation the clause binds (x-clauses side). */
  side: ClauseSide;
  status: ClauseState;
  note: string;
  properties: string[];
  /** Situations its checks saw in runs without a finding (the evidence of a pass). */
  evidence: number;
}

/**
 * Clauses no check of the kit can fail yet (no broken fixture proves one), with the reason the
 * report gives: the report never calls them passed, whatever evidence a run saw.
 */
export const NOT_CHECKED: Partial<Record<ClauseId, string>> = {
  'CT-11.reflex-tenant-keys':
    'the kit drives no Reflex component; the Valkey keys a projector writes are judged under CT-5.*',
  'CT-9.local-write-p99':
    'judged by the producer benchmark (bench/), not by a conformance run, which writes too few times to measure a p99 ratio',
};

export interface ClauseInputs {
  properties: PropertyResult[];
  slos: SloResult[];
  /** Clauses the producer properties tested, with their verdicts (empty for --target projector). */
  producer: Map<string, ClauseVerdict>;
  /** Clauses only unselected properties test (--property / --clauses). */
  notSelected?: ReadonlySet<ClauseId>;
  /** The implementations this run tests: a clause binding only the other one is not selected. */
  sides: readonly TestedSide[];
  /** Why a clause's situation was not observable in this run (e.g. the stale outcome order). */
  unobservable?: ReadonlyMap<ClauseId, string>;
}

const count = (p: PropertyResult, c: ClauseId, f: 'evidence' | 'failures'): number => p[f]?.[c] ?? 0;

/** A row per clause of the spec: passed only on evidence, failed on a finding, or not tested and why. */
export function clauseStatuses(input: ClauseInputs): ClauseStatus[] {
  return Object.values(CLAUSES).map((c) => neverPassedUnproven(clauseStatus(c, input)));
}

/** A documentation clause, or one in {@link NOT_CHECKED}, is not tested even when a run saw it. */
export function neverPassedUnproven(s: ClauseStatus): ClauseStatus {
  if (s.status !== 'passed') return s;
  const reason = s.check === 'documented' ? 'documentation clause: nothing to execute' : NOT_CHECKED[s.id];
  return reason === undefined ? s : { ...s, status: 'not-tested', note: `${reason} (${s.note})` };
}

function clauseStatus(c: (typeof CLAUSES)[ClauseId], input: ClauseInputs): ClauseStatus {
  const id = c.id;
  const row = { id, title: c.title, text: c.text, check: c.check, side: c.side };
  const verdict = (status: ClauseState, note: string, properties: string[], evidence = 0): ClauseStatus => ({
    ...row,
    status,
    note,
    properties,
    evidence,
  });
  const failing = input.properties.filter(
    (p) => count(p, id, 'failures') > 0 || p.violations.some((v) => v.clauseId === id),
  );
  const withEvidence = input.properties.filter((p) => count(p, id, 'evidence') > 0);
  const covering = input.properties.filter((p) => p.clauses.includes(id));
  const names = [...new Set([...failing, ...withEvidence, ...covering].map((p) => p.name))];
  const evidence = withEvidence.reduce((n, p) => n + count(p, id, 'evidence'), 0);
  const slo = input.slos.find((s) => s.clauseId === id);
  const producer = input.producer.get(id);
  if (failing.length > 0)
    return verdict(
      'failed',
      `violated in ${failing.map((p) => `${p.name} (${Math.max(1, count(p, id, 'failures'))} of ${p.runs} runs)`).join(', ')}`,
      names,
      evidence,
    );
  if (outsideRun(c.side, input.sides)) {
    const measured = slo?.reason === undefined ? '' : ` (${slo.reason})`;
    return verdict(
      'not-selected',
      `binds the ${c.side}; this run tests ${input.sides.map((s) => `a ${s}`).join(' and ')}${measured}`,
      names,
      evidence,
    );
  }
  if (slo !== undefined) {
    const note =
      slo.status === 'not-tested'
        ? (slo.reason ?? '')
        : `${fmt(slo.measured)} ${slo.unit} vs threshold < ${slo.threshold} (${slo.samples} samples)${slo.reason === undefined ? '' : `; ${slo.reason}`}`;
    if (slo.status !== 'not-tested' || producer === undefined)
      return verdict(slo.status, note, names, slo.samples);
  }
  if (producer !== undefined)
    return verdict(producer.status, producer.note, ['producer'], producer.evidence ?? 0);
  if (evidence > 0) {
    const unobservable = input.unobservable?.get(id);
    return verdict(
      'passed',
      `seen ${evidence} times in runs without a finding: ${withEvidence.map((p) => `${p.name} ${count(p, id, 'evidence')}`).join(', ')}${unobservable === undefined ? '' : `; ${unobservable}`}`,
      names,
      evidence,
    );
  }
  if (c.check === 'documented') return verdict('not-tested', 'documentation clause: nothing to execute', []);
  const notChecked = NOT_CHECKED[id];
  if (notChecked !== undefined) return verdict('not-tested', notChecked, []);
  const refused = input.properties.reduce((n, p) => n + (p.refusedByBroker?.[id] ?? 0), 0);
  if (refused > 0)
    return verdict(
      'not-tested',
      `every message breaking it was refused by the broker before the implementation saw it (${refused} refused, e.g. above the stream's max_msg_size)`,
      names,
    );
  if (covering.length > 0) {
    const why = covering.map((p) => {
      if (p.status === 'skipped') return `${p.name}: ${p.reason ?? 'skipped'}`;
      const failedOn = Object.keys(p.failures ?? {});
      if (failedOn.length > 0)
        return `${p.name}: no run exercised it without a finding on another clause (${failedOn.join(', ')})`;
      return `${p.name}: no run met its situation${input.unobservable?.has(id) === true ? ` (${input.unobservable.get(id)})` : ''}`;
    });
    return verdict('not-tested', why.join('; '), names);
  }
  if (input.notSelected?.has(id) === true)
    return verdict('not-selected', 'its properties were not selected (--property / --clauses)', []);
  if (c.side === 'producer')
    return verdict('not-tested', 'binds the producer; no property of this kit covers it yet', []);
  if (c.side === 'both' && !input.sides.includes('producer'))
    return verdict(
      'not-tested',
      'binds both sides; no projector property covers it, and this run tests no producer (--target producer or --target reference)',
      [],
    );
  if (c.check === 'validator')
    return verdict(
      'not-tested',
      "validator clause not exercised by this run's bad input (see `continuum-kit validate` and the lib tests)",
      [],
    );
  return verdict('not-tested', 'no property of this kit targets it yet', []);
}

function fmt(n: number | undefined): string {
  if (n === undefined) return '-';
  return n < 1 ? n.toPrecision(3) : n.toFixed(1);
}
