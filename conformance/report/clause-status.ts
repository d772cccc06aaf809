import { CONTRACT } from '../../lib/index.js';
import type { PropertyResult } from '../runner/run-properties.js';
import type { SloResult } from '../runner/slo.js';

export type ClauseState = 'passed' | 'failed' | 'not-tested';

/** One row of the report: a clause from asyncapi.yaml x-clauses and what the run found. */
export interface ClauseStatus {
  id: string;
  title: string;
  text: string;
  check: string;
  status: ClauseState;
  note: string;
  properties: string[];
}

const PRODUCER_CLAUSES = new Set([
  'CT-3.msg-id',
  'CT-3.export-policy',
  'CT-6.local-writes',
  'CT-6.export-retry',
  'CT-6.fail-closed',
  'CT-6.fail-open',
  'CT-7.redaction',
  'CT-7.transport-auth',
  'CT-7.audit',
  'CT-8.replay-source',
  'CT-8.replay-idempotent',
  'CT-8.backfill-params',
  'CT-8.dry-run',
  'CT-9.local-write-p99',
]);

export interface ClauseInputs {
  properties: PropertyResult[];
  slos: SloResult[];
  exercised: Set<string>;
  keysSeen: number;
  /** Clauses the producer properties tested, with their verdicts (empty for --target projector). */
  producer: Map<string, { status: ClauseState; note: string }>;
}

/** A row per clause of the spec: passed, failed, or not tested and why. */
export function clauseStatuses(input: ClauseInputs): ClauseStatus[] {
  return Object.values(CONTRACT.clauses).map((c) => {
    const row = { id: c.id, title: c.title, text: c.text, check: c.check };
    const violations = input.properties.flatMap((p) =>
      p.violations.filter((v) => v.clauseId === c.id).map(() => p.name),
    );
    const covering = input.properties.filter((p) => p.clauses.includes(c.id));
    const ran = covering.filter((p) => p.status !== 'skipped');
    const names = [...new Set([...violations, ...covering.map((p) => p.name)])];
    const slo = input.slos.find((s) => s.clauseId === c.id);
    const producer = input.producer.get(c.id);
    if (violations.length > 0) {
      return {
        ...row,
        status: 'failed' as const,
        note: `violated in ${[...new Set(violations)].join(', ')}`,
        properties: names,
      };
    }
    if (slo !== undefined) {
      const note =
        slo.status === 'not-tested'
          ? (slo.reason ?? '')
          : `${fmt(slo.measured)} ${slo.unit} vs threshold < ${slo.threshold} (${slo.samples} samples)`;
      if (slo.status !== 'not-tested' || producer === undefined)
        return { ...row, status: slo.status, note, properties: names };
    }
    if (producer !== undefined)
      return { ...row, status: producer.status, note: producer.note, properties: ['producer'] };
    if (c.check === 'documented')
      return {
        ...row,
        status: 'not-tested' as const,
        note: 'documentation clause: nothing to execute',
        properties: [],
      };
    if (PRODUCER_CLAUSES.has(c.id) && input.producer.size > 0)
      return {
        ...row,
        status: 'not-tested' as const,
        note: 'producer clause no property of this kit covers yet',
        properties: [],
      };
    if (PRODUCER_CLAUSES.has(c.id))
      return {
        ...row,
        status: 'not-tested' as const,
        note: 'producer clause: run with --target producer or --target reference',
        properties: [],
      };
    if (c.id.startsWith('CT-5.') || c.id === 'CT-11.reflex-tenant-keys') {
      if (ran.length > 0 && input.keysSeen === 0) {
        return {
          ...row,
          status: 'not-tested' as const,
          note: "the implementation wrote no Valkey keys under the run's tenants",
          properties: names,
        };
      }
    }
    if (ran.length > 0)
      return {
        ...row,
        status: 'passed' as const,
        note: `${ran.map((p) => `${p.name} (${p.runs} runs)`).join(', ')}`,
        properties: names,
      };
    if (covering.length > 0)
      return {
        ...row,
        status: 'not-tested' as const,
        note: covering.map((p) => `${p.name}: ${p.reason ?? 'skipped'}`).join('; '),
        properties: names,
      };
    if (input.exercised.has(c.id))
      return {
        ...row,
        status: 'passed' as const,
        note: 'bad input breaking this clause was dead-lettered and never projected',
        properties: ['bad-input'],
      };
    if (c.check === 'validator')
      return {
        ...row,
        status: 'not-tested' as const,
        note: "validator clause not exercised by this run's bad input (see `continuum-kit validate` and the lib tests)",
        properties: [],
      };
    return {
      ...row,
      status: 'not-tested' as const,
      note: 'no property of this kit targets it yet',
      properties: [],
    };
  });
}

function fmt(n: number | undefined): string {
  if (n === undefined) return '-';
  return n < 1 ? n.toPrecision(3) : n.toFixed(1);
}
