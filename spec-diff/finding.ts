/** How a change affects existing deployments. */
export type Classification = 'breaking' | 'non-breaking' | 'doc-only';

/** Which part of the contract a change touches. */
export type Category = 'wire' | 'topology' | 'keys' | 'projection' | 'semantics' | 'slo' | 'info' | 'other';

/** Who an incompatible change breaks: existing writers (producers) or existing readers (projectors). */
export type Side = 'reader' | 'writer';

/** One classified change between two versions of the spec. */
export interface Finding {
  classification: Classification;
  category: Category;
  /** Stable rule id, e.g. `wire.required-added`; listed in spec-diff/README.md. */
  rule: string;
  /** JSON pointer into the dereferenced spec (HEAD for additions and edits, BASE for removals). */
  pointer: string;
  /** Where the change lives in the source files, e.g. `schemas/episode-payload.schema.json#/properties/tags`. */
  source?: string;
  /** Sides of an existing deployment this change breaks (empty unless breaking). */
  breaks: Side[];
  reason: string;
  before?: unknown;
  after?: unknown;
}

/** Builds a finding; `breaks` decides breaking vs non-breaking unless a classification is given. */
export function finding(
  fields: Omit<Finding, 'classification' | 'breaks'> & { breaks?: Side[]; classification?: Classification },
): Finding {
  const breaks = fields.breaks ?? [];
  const classification = fields.classification ?? (breaks.length > 0 ? 'breaking' : 'non-breaking');
  return { ...fields, classification, breaks: classification === 'breaking' ? breaks : [] };
}

/** Escapes one JSON-pointer segment (RFC 6901). */
export function ptr(...segments: (string | number)[]): string {
  return segments.map((s) => '/' + String(s).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

/** Joins a pointer and further segments. */
export function child(pointer: string, ...segments: (string | number)[]): string {
  return pointer + ptr(...segments);
}
