import path from 'node:path';
import { parse } from 'yaml';
import { SpecDiffError } from './spec-diff-error.js';
import type { SpecSource } from './spec-source.js';

/** A spec with every `$ref` (internal and into ./schemas) replaced by a copy of its target. */
export interface LoadedSpec {
  source: SpecSource;
  /** The dereferenced AsyncAPI document: a tree, no shared nodes. */
  doc: Record<string, unknown>;
  /** For each node that replaced a `$ref`: where it came from, e.g. `schemas/defs.schema.json#/definitions/ulid`. */
  origins: WeakMap<object, string>;
  /** Loads and dereferences another schema file named in the spec (e.g. a Valkey family's value_schema). */
  loadSchema(relativePath: string): Promise<unknown>;
}

type Json = unknown;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function resolvePointer(doc: Json, pointer: string): Json {
  if (pointer === '' || pointer === '/') return doc;
  let node: Json = doc;
  for (const raw of pointer.replace(/^\//, '').split('/')) {
    const seg = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) node = node[Number(seg)];
    else if (isObject(node)) node = node[seg];
    else return undefined;
  }
  return node;
}

/** Loads the entry document of `source` and dereferences it in full. */
export async function loadSpec(source: SpecSource): Promise<LoadedSpec> {
  const docs = new Map<string, Promise<Json>>();
  const origins = new WeakMap<object, string>();

  const loadDoc = (file: string): Promise<Json> => {
    let doc = docs.get(file);
    if (!doc) {
      doc = source.read(file).then((text) => {
        try {
          return parse(text) as Json;
        } catch (cause) {
          throw new SpecDiffError(
            'UNPARSABLE',
            `${source.label}: ${file} is not valid YAML/JSON: ${(cause as Error).message}`,
            { cause },
          );
        }
      });
      docs.set(file, doc);
    }
    return doc;
  };

  const deref = async (node: Json, file: string, stack: readonly string[]): Promise<Json> => {
    if (Array.isArray(node)) return Promise.all(node.map((item) => deref(item, file, stack)));
    if (!isObject(node)) return node;
    const { $ref, ...siblings } = node;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(typeof $ref === 'string' ? siblings : node)) {
      out[key] = await deref(value, file, stack);
    }
    if (typeof $ref !== 'string') return out;
    const [target = '', pointer = ''] = $ref.split('#', 2);
    const targetFile =
      target === '' ? file : path.posix.normalize(path.posix.join(path.posix.dirname(file), target));
    const key = `${targetFile}#${pointer}`;
    if (stack.includes(key)) {
      throw new SpecDiffError('UNRESOLVED_REF', `${source.label}: circular $ref ${key} (not supported)`);
    }
    const resolved = resolvePointer(await loadDoc(targetFile), pointer);
    if (resolved === undefined) {
      throw new SpecDiffError(
        'UNRESOLVED_REF',
        `${source.label}: $ref '${$ref}' in ${file} resolves to nothing (${key})`,
      );
    }
    const value = await deref(resolved, targetFile, [...stack, key]);
    if (!isObject(value)) return value;
    const merged = { ...value, ...out };
    origins.set(merged, key);
    return merged;
  };

  const raw = await loadDoc(source.entry);
  if (!isObject(raw) || typeof raw.asyncapi !== 'string') {
    throw new SpecDiffError(
      'UNPARSABLE',
      `${source.label}: not an AsyncAPI document (no 'asyncapi' version field)`,
    );
  }
  const doc = (await deref(raw, source.entry, [])) as Record<string, unknown>;
  return {
    source,
    doc,
    origins,
    loadSchema: async (relativePath) =>
      deref(await loadDoc(path.posix.normalize(relativePath)), relativePath, []),
  };
}
