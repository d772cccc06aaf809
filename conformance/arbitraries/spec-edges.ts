import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Edge values for every length, item and key bound of the episode payload, derived from
 * schemas/episode-payload.schema.json: a new bound there gets its edges here without hand work.
 * Lengths are filled with multi-byte ('é', two UTF-8 bytes) or astral ('😀', two UTF-16 units)
 * characters, so an implementation counting bytes or UTF-16 units instead of characters rejects
 * a valid event at the limit.
 */

/** Joins the edges one valid message sits on in its label. */
export const EDGE_LABEL_SEPARATOR = '; ';

/** One edge of one constraint: `summary.maxLength` / `at-limit-astral`. */
export interface PayloadEdge {
  constraint: string;
  edge: string;
  apply(payload: Record<string, unknown>): Record<string, unknown>;
}

interface StringSchema {
  type?: string | string[];
  minLength?: number;
  maxLength?: number;
  maxItems?: number;
  maxProperties?: number;
  items?: StringSchema;
  additionalProperties?: StringSchema | boolean;
}

const PADS: [string, string][] = [
  ['multibyte', 'é'],
  ['astral', '😀'],
];

export function schemaFile(name: string): string {
  // From the source tree, from dist/ and from the installed package (schemas/ ships with it).
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'schemas', name);
    if (existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`schemas/${name} not found above ${import.meta.url}`);
  }
}

/** `seed` cut or padded with `pad` to exactly `n` characters (code points). */
function fill(seed: string, n: number, pad: string): string {
  const kept = [...seed].slice(0, Math.max(0, n));
  return kept.join('') + pad.repeat(n - kept.length);
}

/** A seed for a string the pattern accepts: the current value when short, else a minimal URI. */
const seedOf = (current: unknown): string =>
  typeof current === 'string' && current.length <= 3 && current.length > 0 ? current : 'x:y';

function stringEdges(
  name: string,
  s: StringSchema,
  set: (p: Record<string, unknown>, v: string) => void,
): PayloadEdge[] {
  const out: PayloadEdge[] = [];
  const current = (p: Record<string, unknown>): unknown => p[name];
  if (s.maxLength !== undefined) {
    const max = s.maxLength;
    for (const [kind, pad] of PADS) {
      out.push({
        constraint: `${name}.maxLength`,
        edge: `at-limit-${kind}`,
        apply: (p) => withValue(p, (q) => set(q, fill(seedOf(current(p)), max, pad))),
      });
    }
    out.push({
      constraint: `${name}.maxLength`,
      edge: 'just-inside-astral',
      apply: (p) => withValue(p, (q) => set(q, fill(seedOf(current(p)), max - 1, '😀'))),
    });
  }
  if (s.minLength !== undefined && s.minLength > 0) {
    const min = s.minLength;
    out.push({
      constraint: `${name}.minLength`,
      edge: 'at-min-astral',
      apply: (p) => withValue(p, (q) => set(q, fill(seedOf(current(p)), min, '😀'))),
    });
  }
  return out;
}

function withValue(
  p: Record<string, unknown>,
  change: (q: Record<string, unknown>) => void,
): Record<string, unknown> {
  const q = structuredClone(p);
  change(q);
  return q;
}

/** Every edge of the payload schema's top-level properties, their items and their values. */
export function derivePayloadEdges(schema: { properties: Record<string, StringSchema> }): PayloadEdge[] {
  const out: PayloadEdge[] = [];
  for (const [name, s] of Object.entries(schema.properties)) {
    const types = Array.isArray(s.type) ? s.type : [s.type];
    if (types.includes('string')) out.push(...stringEdges(name, s, (q, v) => (q[name] = v)));
    if (types.includes('array') && s.maxItems !== undefined) {
      const max = s.maxItems;
      out.push({
        constraint: `${name}.maxItems`,
        edge: 'at-limit',
        apply: (p) => withValue(p, (q) => (q[name] = Array.from({ length: max }, (_, i) => `e${i}`))),
      });
      if (s.items !== undefined) {
        out.push(...stringEdges(`${name}[]`, s.items, (q, v) => (q[name] = [v])));
      }
    }
    if (types.includes('object') && s.maxProperties !== undefined) {
      const max = s.maxProperties;
      out.push({
        constraint: `${name}.maxProperties`,
        edge: 'at-limit',
        apply: (p) =>
          withValue(p, (q) => {
            const o = { ...(q[name] as Record<string, unknown>) };
            for (let i = 0; Object.keys(o).length < max; i++) o[`e${i}`] = i;
            q[name] = o;
          }),
      });
      const values = s.additionalProperties;
      if (typeof values === 'object') {
        for (const e of stringEdges(`${name}{}`, values, (q, v) => {
          q[name] = { ...(q[name] as Record<string, unknown>), edge: v };
        }))
          out.push(e);
      }
    }
  }
  return out;
}

/** The payload edges of the contract's own schema. */
export const PAYLOAD_EDGES: readonly PayloadEdge[] = derivePayloadEdges(
  JSON.parse(readFileSync(schemaFile('episode-payload.schema.json'), 'utf8')) as {
    properties: Record<string, StringSchema>;
  },
);
