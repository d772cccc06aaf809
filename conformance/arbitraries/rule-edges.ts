import { readFileSync } from 'node:fs';
import { CONTRACT, parseSourceTs, type ClauseId } from 'continuum-contract';
import { schemaFile } from './spec-edges.js';

/**
 * Edges of the x-event-semantics rules, read off pairs of events that meet on one row. The
 * ordering-key edges are derived from the spec: x-delivery.ordering_key names the components,
 * schemas/defs.schema.json gives each one's format (a timestamp's fractional digits, an id's
 * alternative formats), so a new component or format gets its edges without hand work. The
 * delete, stale and dedup edges follow x-event-semantics and x-delivery.dedup_key.
 */

/** One edge of one rule: `CT-4.tie-break` / `byte-vs-locale`. */
export interface RuleEdge {
  clause: ClauseId;
  edge: string;
}

/** The fields of an event the rules read. */
export interface RuleEvent {
  event_type: string;
  [field: string]: unknown;
}

interface Definition {
  pattern?: string;
  oneOf?: { $ref: string }[];
}

/** Orders that an implementation may wrongly use instead of the spec's byte order. */
const COLLATIONS: [string, Intl.Collator][] = [
  ['byte-vs-locale', new Intl.Collator('en')],
  // glibc locales (a PostgreSQL database's default collation) skip '-' at the first level.
  ['byte-vs-punctuation-ignored', new Intl.Collator('en', { ignorePunctuation: true })],
];

const PRECISION_NAMES: Record<number, string> = { 3: 'ms', 0: 's' };

/** How one ordering-key component compares two values, and the edges a pair it decides sits on. */
interface Component {
  name: string;
  /** Clause of the rule this component decides (the first: the guard; later ones: tie-breaks). */
  clause: ClauseId;
  edges: string[];
  /** Edges of a pair equal on this component, credited to the next component's rule. */
  equalEdges: string[];
  compare(a: string, b: string): number;
  /** Edges of a pair this component decides. */
  decided(a: string, b: string): string[];
  /** Edges of a pair equal on this component, decided by a later one. */
  equal(a: string, b: string): string[];
}

const bytes = (a: string, b: string): number => Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b)));

function instantComponent(name: string, clause: ClauseId, fractionDigits: number): Component {
  const coarser = Object.keys(PRECISION_NAMES)
    .map(Number)
    .filter((d) => d < fractionDigits)
    .sort((a, b) => b - a);
  const parts = (v: string) => {
    const p = parseSourceTs(v);
    if (p === undefined) throw new Error(`not a ${name}: ${v}`);
    return p;
  };
  const cut = (micros: number, digits: number) => Math.floor(micros / 10 ** (6 - digits));
  return {
    name,
    clause,
    edges: coarser.map((d) => `differs-below-${PRECISION_NAMES[d]}`),
    equalEdges: ['equal-instant-other-spelling'],
    compare: (a, b) => {
      const [x, y] = [parts(a), parts(b)];
      return Math.sign(x.epochSeconds - y.epochSeconds || x.micros - y.micros);
    },
    decided: (a, b) => {
      const [x, y] = [parts(a), parts(b)];
      // Only the finest precision at which the two are still equal: the edge a truncation misses.
      const d = coarser.find(
        (digits) => x.epochSeconds === y.epochSeconds && cut(x.micros, digits) === cut(y.micros, digits),
      );
      return d === undefined ? [] : [`differs-below-${PRECISION_NAMES[d]}`];
    },
    equal: (a, b) => (a === b ? [] : ['equal-instant-other-spelling']),
  };
}

function idComponent(name: string, clause: ClauseId, formats: [string, RegExp][]): Component {
  const formatOf = (v: string) => formats.find(([, re]) => re.test(v))?.[0];
  return {
    name,
    clause,
    edges: [...(formats.length > 1 ? ['mixed-formats'] : []), ...COLLATIONS.map(([edge]) => edge)],
    equalEdges: [],
    compare: bytes,
    decided: (a, b) => [
      ...(formats.length > 1 && formatOf(a) !== formatOf(b) ? ['mixed-formats'] : []),
      ...COLLATIONS.filter(([, c]) => Math.sign(c.compare(a, b)) !== bytes(a, b)).map(([edge]) => edge),
    ],
    equal: () => [],
  };
}

/** The ordering key's components, from x-delivery.ordering_key and their formats in defs.schema.json. */
export function deriveOrderingComponents(
  orderingKey: readonly string[],
  definitions: Record<string, Definition>,
): Component[] {
  return orderingKey.map((name, i) => {
    const clause: ClauseId = i === 0 ? 'CT-4.guard' : 'CT-4.tie-break';
    const def = definitions[name] ?? {};
    const fraction = /\\\.\[0-9\]\{1,(\d)\}/.exec(def.pattern ?? '');
    if (fraction !== null) return instantComponent(name, clause, Number(fraction[1]));
    const formats = (def.oneOf ?? []).map((r): [string, RegExp] => {
      const format = r.$ref.split('/').at(-1) ?? r.$ref;
      return [format, new RegExp(definitions[format]?.pattern ?? '$^')];
    });
    return idComponent(name, clause, formats);
  });
}

const DEFINITIONS = (
  JSON.parse(readFileSync(schemaFile('defs.schema.json'), 'utf8')) as {
    definitions: Record<string, Definition>;
  }
).definitions;
const COMPONENTS = deriveOrderingComponents(CONTRACT.delivery.ordering_key, DEFINITIONS);
const DEDUP_KEY: readonly string[] = CONTRACT.delivery.dedup_key;
const UPSERT_KEY: readonly string[] = CONTRACT.delivery.upsert_key;
/** Event types whose semantics set the row's deleted flag. */
const DELETE_TYPES = new Set(
  Object.entries(CONTRACT.eventSemantics.event_types)
    .filter(([, text]) => text.includes('deleted = true'))
    .map(([type]) => type),
);

const DELETE_EDGES = ['older-after-delete', 'newer-after-delete', 'delete-after-newer'];
const DEDUP_EDGES = ['same-key-same-body', 'same-key-other-body'];

/** Every rule edge the kit can exercise, for the report's per-rule counts. */
export const RULE_EDGES: readonly RuleEdge[] = [
  ...COMPONENTS.flatMap((c, i) => [
    ...c.edges.map((edge) => ({ clause: c.clause, edge })),
    ...(i + 1 < COMPONENTS.length
      ? c.equalEdges.map((edge) => ({ clause: (COMPONENTS[i + 1] as Component).clause, edge }))
      : []),
  ]),
  { clause: 'CT-4.stale', edge: 'smaller-after-greater' },
  ...DELETE_EDGES.map((edge) => ({ clause: 'CT-4.delete' as const, edge })),
  ...DEDUP_EDGES.map((edge) => ({ clause: 'CT-4.dedup' as const, edge })),
];

const field = (e: RuleEvent, name: string): string => String(e[name]);
const sameOn = (keys: readonly string[], a: RuleEvent, b: RuleEvent) =>
  keys.every((k) => field(a, k) === field(b, k));

/** Compares two events by the ordering key; with the edges of the pair and the deciding clause. */
function orderPair(a: RuleEvent, b: RuleEvent): { order: number; edges: RuleEdge[] } {
  const edges: RuleEdge[] = [];
  for (const [i, c] of COMPONENTS.entries()) {
    const [x, y] = [field(a, c.name), field(b, c.name)];
    const order = c.compare(x, y);
    if (order !== 0) {
      edges.push(...c.decided(x, y).map((edge) => ({ clause: c.clause, edge })));
      return { order, edges };
    }
    const next = COMPONENTS[i + 1];
    if (next !== undefined) edges.push(...c.equal(x, y).map((edge) => ({ clause: next.clause, edge })));
  }
  return { order: 0, edges };
}

/**
 * The rule edges each event sits on when it arrives after the earlier ones in `arrivals`
 * (publish order), as report labels `edge: CT-4.tie-break byte-vs-locale`.
 */
export function ruleEdgeLabels(arrivals: readonly RuleEvent[]): string[][] {
  const byRow = new Map<string, RuleEvent[]>();
  return arrivals.map((e) => {
    const row = UPSERT_KEY.map((k) => field(e, k)).join('\u0000');
    const earlier = byRow.get(row) ?? [];
    const found = new Set<string>();
    const add = (edge: RuleEdge) => found.add(`edge: ${edge.clause} ${edge.edge}`);
    for (const before of earlier) {
      if (sameOn(DEDUP_KEY, e, before)) {
        add({
          clause: 'CT-4.dedup',
          edge: JSON.stringify(e) === JSON.stringify(before) ? 'same-key-same-body' : 'same-key-other-body',
        });
        continue;
      }
      const { order, edges } = orderPair(e, before);
      edges.forEach(add);
      if (order < 0) add({ clause: 'CT-4.stale', edge: 'smaller-after-greater' });
      if (DELETE_TYPES.has(before.event_type))
        add({ clause: 'CT-4.delete', edge: order < 0 ? 'older-after-delete' : 'newer-after-delete' });
      if (DELETE_TYPES.has(e.event_type) && order < 0)
        add({ clause: 'CT-4.delete', edge: 'delete-after-newer' });
    }
    earlier.push(e);
    byRow.set(row, earlier);
    return [...found];
  });
}
