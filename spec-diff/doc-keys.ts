/**
 * Keys whose change is doc-only wherever they occur: prose, examples, and the clause/reason
 * annotations that reports cite. They change no message, subject, key, table or behaviour.
 */
export const DOC_KEYS: ReadonlySet<string> = new Set([
  'title',
  'description',
  'summary',
  'examples',
  'example',
  'externalDocs',
  '$comment',
  'x-reason',
  'x-clause',
  'x-clauses',
]);

/**
 * Schema annotations that are not prose but still do not change which values are valid:
 * generators and validators may read them, so they need a version bump (non-breaking).
 */
export const ANNOTATION_KEYS: ReadonlySet<string> = new Set([
  '$id',
  '$schema',
  'default',
  'deprecated',
  'readOnly',
  'writeOnly',
]);

/** Keys that make everything beneath them doc-only. */
const DOC_SUBTREES: ReadonlySet<string> = new Set(['examples', 'externalDocs', 'x-reason', 'x-clauses']);

/**
 * True when a change is doc-only: beneath examples/externalDocs/x-reason/x-clauses, or at a doc
 * key holding prose (a string or list). The value test keeps a column, family or SLO that
 * happens to be named `summary` or `title` (an object) from passing as prose.
 */
export function isDocChange(pointer: string, before: unknown, after: unknown): boolean {
  const segments = pointer.split('/').slice(1);
  if (segments.some((s) => DOC_SUBTREES.has(s))) return true;
  const last = segments[segments.length - 1] ?? '';
  const prose = (v: unknown) => v === undefined || typeof v !== 'object' || Array.isArray(v);
  if (DOC_KEYS.has(last) && prose(before) && prose(after)) return true;
  // `tags` is doc-only as an AsyncAPI object field (info, channel, operation, message, server).
  return /^\/(info|channels\/[^/]+|operations\/[^/]+|servers\/[^/]+|channels\/[^/]+\/messages\/[^/]+)\/tags(\/|$)/.test(
    pointer,
  );
}
