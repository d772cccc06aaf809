import { Ajv } from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { CheckCompiler, UnsupportedSchema } from './render-check.js';
import { clauseInfo, type ClauseInfo } from './clause-map.js';
import { dereference } from './deref.js';
import { generatedHeader } from './header.js';
import type { SchemaFiles, SpecSource } from './spec-source.js';

/** Validator name -> root schema file (`consumer/` = the unknown-fields-tolerant copy). */
const VALIDATORS = {
  episodeEventProducer: 'episode-event.schema.json',
  episodeEventConsumer: 'consumer/episode-event.schema.json',
  dlqEntry: 'dlq-entry.schema.json',
  cacheEntry: 'cache-entry.schema.json',
  backfillRequest: 'backfill-request.schema.json',
  auditEntry: 'audit-entry.schema.json',
} as const;

/** The consumer mode of the contract: the same schemas with every `additionalProperties: false` removed. */
function tolerant(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(tolerant);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'additionalProperties' && value === false) continue;
    out[key] = tolerant(value);
  }
  return out;
}

function idOf(schema: Record<string, unknown>): string {
  if (typeof schema.$id !== 'string') throw new Error('every schema file needs an $id');
  return schema.$id;
}

function consumerId(id: string): string {
  const slash = id.lastIndexOf('/');
  return `${id.slice(0, slash)}/consumer${id.slice(slash)}`;
}

/** Ajv runtime helpers the standalone code may call; inlined so generated/ needs no ajv at run time. */
const RUNTIME: Record<string, string> = {
  hasDuplicateString: `function hasDuplicateString(items) {
  // Items are already known to be strings; === is exact equality for them. Quadratic only for
  // short arrays (maxItems is small); long ones (allErrors mode keeps going) use a Set.
  if (items.length > 64) return new Set(items).size !== items.length;
  for (let i = 1; i < items.length; i++) {
    const item = items[i];
    for (let j = 0; j < i; j++) if (items[j] === item) return true;
  }
  return false;
}`,
  'ajv/dist/runtime/ucs2length': `const SURROGATE = /[\\ud800-\\udfff]/;
function ucs2length(str) {
  // Length in Unicode code points (a surrogate pair counts once), as JSON Schema requires.
  // Most strings have no surrogates: then it is .length, found by one native scan.
  if (!SURROGATE.test(str)) return str.length;
  const len = str.length;
  let length = 0;
  let pos = 0;
  let value;
  while (pos < len) {
    length++;
    value = str.charCodeAt(pos++);
    if (value >= 0xd800 && value <= 0xdbff && pos < len) {
      value = str.charCodeAt(pos);
      if ((value & 0xfc00) === 0xdc00) pos++;
    }
  }
  return length;
}`,
};

/**
 * Two rewrites of ajv's output that keep its meaning and remove its hot spots:
 * - uniqueItems indexes items in `{}`: every new set of strings grows V8's hidden-class tree,
 *   and a '__proto__' item is silently missed. A null-prototype object has neither problem.
 * - min/maxLength count code points with a call per bound; a string's UTF-16 length bounds its
 *   code point count (len/2 <= cp <= len), so most strings are decided without counting.
 */
function optimize(code: string): string {
  // uniqueItems over typed strings: a nested === scan of at most maxItems items decides the common
  // case (no duplicate) without building an index; ajv's own block still runs to report one.
  let out = code.replace(
    /if\((i\d+) > 1\)\{const (indices\d+) = \{\};for\(;\1--;\)\{let (item\d+) = (data\d+)\[\1\];if\(typeof \3 !== "string"\)\{continue;\}/g,
    'if($1 > 1 && hasDuplicateString($4)){const $2 = Object.create(null);for(;$1--;){let $3 = $4[$1];if(typeof $3 !== "string"){continue;}',
  );
  if (/const indices\d+ = \{\}/.test(out)) throw new Error('uniqueItems block not in the expected form');
  const counter = /const (func\d+) = ucs2length;/.exec(out)?.[1];
  if (counter !== undefined) {
    out = out
      .replace(
        new RegExp(`${counter}\\((data\\d*)\\) > (\\d+)`, 'g'),
        `($1.length > $2 && ${counter}($1) > $2)`,
      )
      .replace(
        new RegExp(`${counter}\\((data\\d*)\\) < (\\d+)`, 'g'),
        `($1.length < 2 * $2 && ${counter}($1) < $2)`,
      );
  }
  return out;
}

/** Each validator's root schema, dereferenced and self-contained, with its $id. */
function roots(schemas: SchemaFiles): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [name, file] of Object.entries(VALIDATORS)) {
    const consumer = file.startsWith('consumer/');
    const rootFile = consumer ? file.slice('consumer/'.length) : file;
    const schema = schemas[rootFile];
    if (schema === undefined) throw new Error(`schema ${file} not found`);
    const id = consumer ? consumerId(idOf(schema)) : idOf(schema);
    const inlined = { $id: id, ...dereference(schemas, rootFile) };
    out[name] = (consumer ? tolerant(inlined) : inlined) as Record<string, unknown>;
  }
  return out;
}

function compile(schemas: SchemaFiles, allErrors: boolean): string {
  const ajv = new Ajv({
    allErrors,
    strict: true,
    allowUnionTypes: true,
    // Patterns in the contract are ASCII classes; without the 'u' flag V8 runs them faster.
    unicodeRegExp: false,
    keywords: ['x-clause', 'x-reason'],
    code: { source: true, esm: false, optimize: true },
  });
  // Each root is compiled from its dereferenced, self-contained form: ajv then inlines every
  // subschema into one function instead of calling one per $ref with a fresh options object.
  const refs: Record<string, string> = {};
  for (const [name, root] of Object.entries(roots(schemas))) {
    ajv.addSchema(root);
    refs[name] = String(root.$id);
  }
  let code = standaloneCode.default(ajv, refs);
  code = code.replace(/require\("([^"]+)"\)\.default/g, (_match, module: string) => {
    if (!(module in RUNTIME) || !module.startsWith('ajv/'))
      throw new Error(`standalone code needs unknown ajv runtime ${module}`);
    return module.slice(module.lastIndexOf('/') + 1);
  });
  if (code.includes('require(')) throw new Error('standalone code still calls require()');
  code = optimize(code);
  return `(() => {\nconst exports = {};\n${code}\nreturn exports;\n})()`;
}

/** Validators on the hot path (every bus message), which get a single-walk check. */
const CHECKED = new Set(['episodeEventProducer', 'episodeEventConsumer']);

/**
 * The single-walk boolean checks (render-check.ts) for the hot-path validators; the rest, and any
 * schema the check compiler cannot cover, map to null and keep ajv's fast code alone.
 */
function compileChecks(schemas: SchemaFiles): string {
  const compiler = new CheckCompiler('');
  const entries: string[] = [];
  for (const [name, root] of Object.entries(roots(schemas))) {
    // $id is ajv's; the check compiler needs only the keywords.
    const schema = Object.fromEntries(Object.entries(root).filter(([key]) => key !== '$id'));
    if (!CHECKED.has(name)) {
      entries.push(`${name}: null`);
      continue;
    }
    try {
      entries.push(`${name}: ${compiler.compile(schema)}`);
    } catch (error) {
      if (!(error instanceof UnsupportedSchema)) throw error;
      entries.push(`${name}: null`);
    }
  }
  return `(() => {\n${compiler.lines.join('\n')}\nreturn { ${entries.join(', ')} };\n})()`;
}

/**
 * Renders generated/validators.ts: ajv standalone code (no schema compilation at run time), once
 * with allErrors:false (fast path) and once with allErrors:true (to list every violation of an
 * invalid document), plus the clause maps built from the `x-clause` annotations.
 */
export function renderValidators(source: SpecSource): string {
  const unknownFieldsClause = String(
    (source.spec['x-unknown-fields'] as Record<string, unknown> | undefined)?.['x-clause'] ?? '',
  );
  if (!unknownFieldsClause) throw new Error('asyncapi.yaml lacks x-unknown-fields.x-clause');
  const infos: Record<string, ClauseInfo> = {};
  for (const [name, file] of Object.entries(VALIDATORS)) {
    infos[name] = clauseInfo(source.schemas, file.replace('consumer/', ''), unknownFieldsClause);
  }
  const names = Object.keys(VALIDATORS);
  const runtime = Object.values(RUNTIME).join('\n\n');
  const lines = [
    generatedHeader('//', source.hash),
    '// @ts-nocheck',
    '/* eslint-disable */',
    '',
    '/** An ajv error as the standalone code reports it. */',
    'export interface GeneratedError {',
    '  instancePath: string;',
    '  schemaPath: string;',
    '  keyword: string;',
    '  params: Record<string, unknown>;',
    '  message?: string;',
    '}',
    '',
    '/** A standalone validator: returns true when valid, otherwise sets `errors`. */',
    'export interface GeneratedValidator {',
    '  (data: unknown): boolean;',
    '  errors?: GeneratedError[] | null;',
    '}',
    '',
    '/** A fast validator (stops at the first error), the same schema with allErrors, and its clause map. */',
    'export interface GeneratedValidatorSet {',
    '  /** Single-walk boolean check: true only for valid data; false means ask `fast`. */',
    '  check: (data: unknown) => boolean;',
    '  fast: GeneratedValidator;',
    '  all: GeneratedValidator;',
    '  clauses: Readonly<Record<string, string>>;',
    '  unknownFieldsClause: string;',
    '  timestampPaths: readonly string[];',
    '}',
    '',
    runtime,
    '',
    `const fast = ${compile(source.schemas, false)};`,
    '',
    `const all = ${compile(source.schemas, true)};`,
    '',
    `const check = ${compileChecks(source.schemas)};`,
    '',
    '/** Every generated validator, by name. */',
    'export const validators: Readonly<Record<' +
      names.map((n) => `'${n}'`).join(' | ') +
      ', GeneratedValidatorSet>> = {',
    ...names.map((name) => {
      const info = infos[name] as ClauseInfo;
      return (
        `  ${name}: {\n    check: check.${name} ?? fast.${name},\n    fast: fast.${name},\n    all: all.${name},\n` +
        `    clauses: ${JSON.stringify(info.clauses)},\n` +
        `    unknownFieldsClause: ${JSON.stringify(info.unknownFieldsClause)},\n` +
        `    timestampPaths: ${JSON.stringify(info.timestampPaths)},\n  },`
      );
    }),
    '};',
    '',
  ];
  return lines.join('\n');
}
