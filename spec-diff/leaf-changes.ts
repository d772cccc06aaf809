import { isDocChange } from './doc-keys.js';
import { type Category, type Finding, child, finding } from './finding.js';
import { deepEqual, isObject, normalizeText, showChange, unionKeys } from './json-utils.js';

/** One changed leaf (scalar, array, or a whole object added or removed) between two subtrees. */
export interface LeafChange {
  action: 'add' | 'remove' | 'edit';
  pointer: string;
  /** Segments below the subtree root. */
  path: string[];
  before: unknown;
  after: unknown;
}

/** Lists changed leaves; objects recurse, arrays and scalars are leaves. */
export function leafChanges(
  base: unknown,
  head: unknown,
  pointer: string,
  path: string[] = [],
): LeafChange[] {
  if (deepEqual(base, head)) return [];
  if (isObject(base) && isObject(head)) {
    return unionKeys(base, head).flatMap((k) =>
      leafChanges(base[k], head[k], child(pointer, k), [...path, k]),
    );
  }
  const action = base === undefined ? 'add' : head === undefined ? 'remove' : 'edit';
  return [{ action, pointer, path, before: base, after: head }];
}

/** A rule for one leaf change: a finding, or undefined when the rule does not apply. */
export type LeafRule = (change: LeafChange) => Finding | undefined;

/**
 * Classifies leaf changes: doc keys are doc-only, text that only re-wraps is doc-only, then
 * `rule`, and anything no rule claims is breaking, so nothing unknown passes silently.
 */
export function classifyLeaves(
  changes: LeafChange[],
  category: Category,
  source: (pointer: string) => string,
  rule: LeafRule,
): Finding[] {
  return changes.map((c) => {
    const at = { category, pointer: c.pointer, source: source(c.pointer), before: c.before, after: c.after };
    if (isDocChange(c.pointer, c.before, c.after)) {
      return finding({
        ...at,
        rule: `${category}.doc`,
        classification: 'doc-only',
        reason: 'documentation only',
      });
    }
    if (
      c.action === 'edit' &&
      typeof c.before === 'string' &&
      normalizeText(c.before) === normalizeText(c.after)
    ) {
      return finding({
        ...at,
        rule: `${category}.rewrapped`,
        classification: 'doc-only',
        reason: 'only whitespace or line wrapping changed',
      });
    }
    const judged = rule(c);
    if (judged) return { ...judged, source: judged.source ?? source(c.pointer) };
    return finding({
      ...at,
      rule: `${category}.unclassified`,
      breaks: ['reader', 'writer'],
      reason: `${c.action} ${showChange(c.before, c.after)}: no rule proves this compatible, so it is treated as breaking`,
    });
  });
}

/** Numeric limit: `tighter` says which direction tightens; tightening breaks `onTighten`, loosening breaks `onLoosen`. */
export function numericChange(c: LeafChange, upper: boolean): 'tightened' | 'loosened' {
  if (c.before === undefined) return 'tightened';
  if (c.after === undefined) return 'loosened';
  return (upper ? Number(c.after) < Number(c.before) : Number(c.after) > Number(c.before))
    ? 'tightened'
    : 'loosened';
}
