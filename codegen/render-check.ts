import {
  charClassPattern,
  deniesSurrogates,
  matchesOnlyAscii,
  renderCharClass,
} from './char-class-pattern.js';

/**
 * Compiles a dereferenced JSON Schema (draft-07, the keyword subset the contract uses) into one
 * boolean predicate, in JavaScript source. It is the valid-path fast check: ajv's boolean code
 * walks a flat object three times (Object.keys for maxProperties, one for-in for propertyNames,
 * one for additionalProperties); this walks it once. ajv stays the reference: the library falls
 * back to ajv whenever this says false, and a property test proves the two agree.
 * Any keyword outside the subset throws UnsupportedSchema, and the caller then uses ajv alone.
 */

const ANNOTATIONS = new Set(['description', 'title', 'x-clause', 'x-reason', '$comment', 'examples']);
const KNOWN = new Set([
  ...ANNOTATIONS,
  'type',
  'enum',
  'const',
  'oneOf',
  'minLength',
  'maxLength',
  'pattern',
  'required',
  'properties',
  'additionalProperties',
  'maxProperties',
  'propertyNames',
  'items',
  'maxItems',
  'uniqueItems',
]);

/** A schema this compiler does not cover; the validator then keeps ajv's code alone. */
export class UnsupportedSchema extends Error {
  override name = 'UnsupportedSchema';
}

type Schema = Record<string, unknown>;

const TYPE_TEST: Record<string, (x: string) => string> = {
  string: (x) => `typeof ${x} === "string"`,
  // ajv: a JSON Schema number is a finite number; an integer also has no fraction.
  number: (x) => `(typeof ${x} === "number" && isFinite(${x}))`,
  integer: (x) => `(typeof ${x} === "number" && !(${x} % 1) && !isNaN(${x}) && isFinite(${x}))`,
  boolean: (x) => `typeof ${x} === "boolean"`,
  null: (x) => `${x} === null`,
  object: (x) => `(${x} !== null && typeof ${x} === "object" && !Array.isArray(${x}))`,
  array: (x) => `Array.isArray(${x})`,
};

function exactLength(schema: unknown): number | undefined {
  const s = schema as Schema;
  return s.type === 'string' && typeof s.minLength === 'number' && s.minLength === s.maxLength
    ? s.minLength
    : undefined;
}

/** True when no string holding a surrogate code unit can match the pattern. */
function patternDeniesSurrogates(source: string): boolean {
  const table = charClassPattern(source);
  return table !== undefined ? deniesSurrogates(table) : matchesOnlyAscii(source);
}

/** Strings up to this many units are checked per code unit; a RegExp is faster on longer ones. */
const SHORT = 64;

/** Emits `check_<n>` functions; returns the name of the root one. */
export class CheckCompiler {
  readonly lines: string[] = [];
  private readonly patterns = new Map<string, string>();
  private readonly bodies = new Map<string, string>();
  private count = 0;

  constructor(private readonly prefix: string) {}

  /** An expression testing string `x` against the pattern; `bound` is the schema's maxLength. */
  private patternTest(source: string, x: string, bound: number): string {
    const table = charClassPattern(source);
    if (table !== undefined && Math.min(table.max, bound) <= SHORT) {
      let name = this.patterns.get(`class:${source}`);
      if (name === undefined) {
        name = `${this.prefix}class${this.patterns.size}`;
        this.patterns.set(`class:${source}`, name);
        this.lines.push(renderCharClass(name, source, table));
      }
      return `${name}(${x})`;
    }
    return `${this.pattern(source)}.test(${x})`;
  }

  private pattern(source: string): string {
    let name = this.patterns.get(source);
    if (name === undefined) {
      name = `${this.prefix}re${this.patterns.size}`;
      this.patterns.set(source, name);
      // No 'u' flag: the same RegExp ajv builds with unicodeRegExp: false.
      this.lines.push(`const ${name} = new RegExp(${JSON.stringify(source)}, "");`);
    }
    return name;
  }

  compile(schema: Schema): string {
    for (const key of Object.keys(schema))
      if (!KNOWN.has(key)) throw new UnsupportedSchema(`keyword ${key} is not covered`);
    const name = `${this.prefix}check${this.count++}`;
    const body: string[] = [];
    const types = schema.type === undefined ? [] : ([] as string[]).concat(schema.type as string);
    for (const t of types) if (!(t in TYPE_TEST)) throw new UnsupportedSchema(`type ${t}`);
    const only = types.length === 1 ? types[0] : undefined;
    if (types.length > 0)
      body.push(
        `if (!(${types.map((t) => (TYPE_TEST[t] as (x: string) => string)('x')).join(' || ')})) return false;`,
      );
    if (schema.const !== undefined)
      body.push(this.primitive(schema.const, (v) => `if (x !== ${v}) return false;`));
    if (schema.enum !== undefined) {
      const values = (schema.enum as unknown[]).map((v) => this.primitive(v, (s) => `x === ${s}`));
      body.push(`if (!(${values.join(' || ')})) return false;`);
    }
    if (schema.oneOf !== undefined) body.push(this.oneOf(schema.oneOf as Schema[]));
    this.guarded(body, only, 'string', TYPE_TEST.string!('x'), this.stringChecks(schema));
    this.guarded(body, only, 'object', TYPE_TEST.object!('x'), this.objectChecks(schema));
    this.guarded(body, only, 'array', 'Array.isArray(x)', this.arrayChecks(schema));
    // Identical subschemas (tenant_id, agent_id) share one function.
    const text = [...body, 'return true;'].map((l) => `  ${l}`).join('\n');
    const same = this.bodies.get(text);
    if (same !== undefined) return same;
    this.bodies.set(text, name);
    this.lines.push(`function ${name}(x) {\n${text}\n}`);
    return name;
  }

  private primitive(value: unknown, emit: (literal: string) => string): string {
    if (value !== null && typeof value === 'object') throw new UnsupportedSchema('non-primitive const/enum');
    return emit(JSON.stringify(value));
  }

  private guarded(body: string[], only: string | undefined, type: string, test: string, checks: string[]) {
    if (checks.length === 0) return;
    if (only === type) body.push(...checks);
    else body.push(`if (${test}) {`, ...checks.map((c) => `  ${c}`), '}');
  }

  private oneOf(branches: Schema[]): string {
    const names = branches.map((b) => this.compile(b));
    const lengths = branches.map(exactLength);
    // Strings of pairwise distinct exact lengths never match twice: the first match decides.
    if (lengths.every((n) => n !== undefined) && new Set(lengths).size === lengths.length)
      return `if (!(${names.map((n) => `${n}(x)`).join(' || ')})) return false;`;
    return `if ((${names.map((n) => `(${n}(x) ? 1 : 0)`).join(' + ')}) !== 1) return false;`;
  }

  private stringChecks(s: Schema): string[] {
    const out: string[] = [];
    if (typeof s.pattern === 'string' && patternDeniesSurrogates(s.pattern)) {
      // Every string the pattern admits is surrogate-free, where code points = UTF-16 units; any
      // other string fails the pattern below, so comparing .length decides the same.
      if (typeof s.maxLength === 'number') out.push(`if (x.length > ${s.maxLength}) return false;`);
      if (typeof s.minLength === 'number' && s.minLength > 0)
        out.push(`if (x.length < ${s.minLength}) return false;`);
    } else {
      // Bounds count code points: length/2 <= code points <= length, so most strings need no count.
      if (typeof s.maxLength === 'number')
        out.push(`if (x.length > ${s.maxLength} && ucs2length(x) > ${s.maxLength}) return false;`);
      if (typeof s.minLength === 'number' && s.minLength > 0)
        out.push(
          `if (x.length < ${s.minLength} || (x.length < ${2 * s.minLength - 1} && ucs2length(x) < ${s.minLength})) return false;`,
        );
    }
    if (typeof s.pattern === 'string') {
      const bound = typeof s.maxLength === 'number' ? s.maxLength : Infinity;
      out.push(`if (!${this.patternTest(s.pattern, 'x', bound)}) return false;`);
    }
    return out;
  }

  private objectChecks(s: Schema): string[] {
    const out: string[] = [];
    const properties = (s.properties ?? {}) as Record<string, Schema>;
    const required = (s.required ?? []) as string[];
    if (required.length > 0)
      out.push(
        `if (${required.map((k) => `x[${JSON.stringify(k)}] === undefined`).join(' || ')}) return false;`,
      );
    const additional = s.additionalProperties;
    const names = s.propertyNames === undefined ? undefined : this.compile(s.propertyNames as Schema);
    const rest =
      additional === undefined || additional === false ? undefined : this.compile(additional as Schema);
    const max = s.maxProperties as number | undefined;
    if (additional === false || names !== undefined || rest !== undefined || max !== undefined) {
      // One walk over the keys. for-in counts at least Object.keys' keys, so maxProperties is never looser.
      const known = Object.keys(properties).map((k) => `k === ${JSON.stringify(k)}`);
      const loop: string[] = [];
      if (max !== undefined) loop.push(`if (++n > ${max}) return false;`);
      if (names !== undefined) loop.push(`if (!${names}(k)) return false;`);
      if (additional === false) loop.push(`if (!(${known.join(' || ') || 'false'})) return false;`);
      else if (rest !== undefined)
        loop.push(
          `if (${known.length > 0 ? `!(${known.join(' || ')}) && ` : ''}!${rest}(x[k])) return false;`,
        );
      out.push(
        ...(max !== undefined ? ['let n = 0;'] : []),
        'for (const k in x) {',
        ...loop.map((l) => `  ${l}`),
        '}',
      );
    }
    for (const [key, sub] of Object.entries(properties)) {
      const fn = this.compile(sub);
      const at = `x[${JSON.stringify(key)}]`;
      out.push(`if (${at} !== undefined && !${fn}(${at})) return false;`);
    }
    return out;
  }

  private arrayChecks(s: Schema): string[] {
    const out: string[] = [];
    if (typeof s.maxItems === 'number') out.push(`if (x.length > ${s.maxItems}) return false;`);
    const items = s.items as Schema | undefined;
    if (items !== undefined && (Array.isArray(items) || typeof items !== 'object'))
      throw new UnsupportedSchema('items must be one schema');
    const unique = s.uniqueItems === true;
    if (unique && items?.type !== 'string') throw new UnsupportedSchema('uniqueItems over non-strings');
    if (items !== undefined) {
      const fn = this.compile(items);
      out.push(`for (let i = 0; i < x.length; i++) if (!${fn}(x[i])) return false;`);
    }
    // The items are strings by now (=== is JSON equality for them); see hasDuplicateString.
    if (unique) out.push('if (x.length > 1 && hasDuplicateString(x)) return false;');
    return out;
  }
}
