import { CLAUSE_IDS, type ClauseId } from 'continuum-contract';
import { EnvironmentError } from '../core/environment-error.js';
import { PROJECTOR_PROPERTIES } from './catalog.js';
import type { PropertyDef } from './catalog.js';

/** A selection (--property / --clauses) that matches nothing: a usage error, so nothing is judged. */
export class SelectionError extends EnvironmentError {
  readonly selection = true;
}

/** What a run selects, and the clauses left to unselected properties. */
export interface Selection {
  projector: PropertyDef[];
  producer: boolean;
  /** Clauses only unselected properties test. */
  notSelected: Set<ClauseId>;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const next = Math.min(
        (row[j] as number) + 1,
        (row[j - 1] as number) + 1,
        prev + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      prev = row[j] as number;
      row[j] = next;
    }
  }
  return row[b.length] as number;
}

/** The candidate nearest to `wanted` by edit distance. */
export function closest(wanted: string, candidates: readonly string[]): string {
  return [...candidates].sort((x, y) => distance(wanted, x) - distance(wanted, y))[0] ?? '';
}

/**
 * The properties a run selects. A property name that does not exist, or a --clauses pattern
 * that matches no clause a selected property tests, is a SelectionError naming the closest
 * match: a typo must never turn the gate green while testing nothing.
 */
export function selectProperties(o: {
  properties?: string[];
  clauses?: RegExp;
  producerClauses: readonly ClauseId[];
  producerAvailable: boolean;
  producerOnly?: boolean;
}): Selection {
  const names = [...PROJECTOR_PROPERTIES.map((p) => p.name), 'producer'];
  for (const name of o.properties ?? [])
    if (!names.includes(name))
      throw new SelectionError(
        `--property ${name} matches no property (did you mean '${closest(name, names)}'? properties: ${names.join(', ')})`,
      );
  const matches = (clauses: readonly ClauseId[]): boolean =>
    o.clauses === undefined || clauses.some((c) => o.clauses?.test(c) === true);
  const wanted = (name: string): boolean => o.properties === undefined || o.properties.includes(name);
  const projector =
    o.producerOnly === true ? [] : PROJECTOR_PROPERTIES.filter((p) => wanted(p.name) && matches(p.clauses));
  const producer = o.producerAvailable && wanted('producer') && matches(o.producerClauses);
  if (projector.length === 0 && !producer) {
    const pattern = o.clauses?.source;
    const hint =
      pattern === undefined
        ? ''
        : CLAUSE_IDS.some((c) => o.clauses?.test(c) === true)
          ? ` (--clauses ${pattern} matches clauses, but none of the selected properties tests them)`
          : ` (--clauses ${pattern} matches no clause; closest: ${closest(pattern, CLAUSE_IDS)})`;
    throw new SelectionError(`the selection matches no property of this target${hint}`);
  }
  const selected = new Set<ClauseId>([
    ...projector.flatMap((p) => p.clauses),
    ...(producer ? o.producerClauses : []),
  ]);
  const notSelected = new Set<ClauseId>();
  const all = [
    ...(o.producerOnly === true ? [] : PROJECTOR_PROPERTIES.map((p) => p.clauses)),
    o.producerAvailable ? o.producerClauses : [],
  ];
  for (const clauses of all) for (const c of clauses) if (!selected.has(c)) notSelected.add(c);
  return { projector, producer, notSelected };
}
