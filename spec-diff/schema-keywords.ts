import { type Category, type Finding, type Side, finding } from './finding.js';
import { deepEqual, show, showChange } from './json-utils.js';
import { comparePatterns } from './regex-language.js';

interface At {
  category: Category;
  pointer: string;
  source: string;
}

/** Upper bounds: a lower value (or a new bound) tightens. */
const UPPER = new Set(['maxLength', 'maxItems', 'maxProperties', 'maximum', 'exclusiveMaximum']);
/** Lower bounds: a higher value (or a new bound) tightens. */
const LOWER = new Set(['minLength', 'minItems', 'minProperties', 'minimum', 'exclusiveMinimum']);
const TYPES = ['string', 'number', 'integer', 'boolean', 'object', 'array', 'null'];

const TIGHTENED = 'existing writers may send values the new schema rejects';
const LOOSENED = 'new writers may send values existing readers reject';

function typeSet(value: unknown): string[] {
  if (value === undefined) return TYPES;
  return Array.isArray(value) ? (value as string[]) : [String(value)];
}

const covers = (set: string[], type: string): boolean =>
  set.includes(type) || (type === 'integer' && set.includes('number'));

/** A `pattern` value as a conjunction (merged allOf parts keep a list, see schema-merge.ts). */
const patterns = (value: unknown): string[] =>
  value === undefined ? [] : Array.isArray(value) ? value.map(String) : [String(value)];

/** Pattern changes are decided on the accepted strings (refa), with a string that tells them apart. */
function comparePattern(b: unknown, h: unknown, base: At & { before: unknown; after: unknown }): Finding[] {
  const one = (rule: string, breaks: Side[], reason: string): Finding[] => [
    finding({ ...base, rule, breaks, reason }),
  ];
  const relation = comparePatterns(patterns(b), patterns(h));
  const change = `pattern ${showChange(b, h)}`;
  switch (relation.kind) {
    case 'equal':
      return one(
        'wire.pattern-equivalent',
        [],
        `${change}: rewritten, but both accept exactly the same strings (decided with refa), so no writer or reader breaks`,
      );
    case 'narrowed':
      return one(
        b === undefined ? 'wire.pattern-added' : 'wire.pattern-tightened',
        ['writer'],
        `${change}: accepts strictly fewer strings, e.g. ${JSON.stringify(relation.example)} was valid and is rejected now: ${TIGHTENED}`,
      );
    case 'widened':
      return one(
        h === undefined ? 'wire.pattern-removed' : 'wire.pattern-loosened',
        ['reader'],
        `${change}: accepts strictly more strings, e.g. ${JSON.stringify(relation.example)} is valid now and was rejected: ${LOOSENED}`,
      );
    case 'incomparable':
      return one(
        'wire.pattern-changed',
        ['reader', 'writer'],
        `${change}: neither includes the other: ${JSON.stringify(relation.onlyBase)} is valid only before (existing writers may send it, new readers reject it) and ${JSON.stringify(relation.onlyHead)} only after (new writers may send it, existing readers reject it)`,
      );
    case 'undecided':
      if (b === undefined)
        return one(
          'wire.pattern-added',
          ['writer'],
          `${change}: an added pattern can only narrow: ${TIGHTENED}`,
        );
      if (h === undefined)
        return one(
          'wire.pattern-removed',
          ['reader'],
          `${change}: a removed pattern can only widen: ${LOOSENED}`,
        );
      return one(
        'wire.pattern-changed',
        ['reader', 'writer'],
        `${change}: inclusion not decided (${relation.why}: outside the regular subset of JS regexes that refa decides), so both sides are assumed to break`,
      );
  }
}

/**
 * Multiples of `h` are all multiples of `b` exactly when `h / b` is an integer. Decided for
 * integer steps only: a float ratio (0.3 / 0.1) is not exact, and stays conservative.
 */
function compareMultipleOf(
  b: number,
  h: number,
  one: (rule: string, breaks: Side[], reason: string) => Finding[],
): Finding[] {
  const change = `multipleOf ${b} -> ${h}`;
  if (Number.isInteger(b) && Number.isInteger(h) && b > 0 && h > 0) {
    if (h % b === 0)
      return one(
        'wire.bound-tightened',
        ['writer'],
        `${change}: every multiple of ${h} is one of ${b}, not the reverse: ${TIGHTENED}`,
      );
    if (b % h === 0)
      return one(
        'wire.bound-loosened',
        ['reader'],
        `${change}: every multiple of ${b} is one of ${h}, not the reverse: ${LOOSENED}`,
      );
    return one(
      'wire.keyword-changed',
      ['reader', 'writer'],
      `${change}: neither divides the other, e.g. ${b} is valid only before and ${h} only after, so both sides break`,
    );
  }
  return one(
    'wire.keyword-changed',
    ['reader', 'writer'],
    `${change}: inclusion is not decided for non-integer steps, so both sides are assumed to break`,
  );
}

/** Compares one validation keyword of a schema; `b`/`h` are its base and head values (undefined = absent). */
export function compareKeyword(key: string, b: unknown, h: unknown, at: At): Finding[] {
  const base = { ...at, before: b, after: h };
  const one = (rule: string, breaks: Side[], reason: string): Finding[] => [
    finding({ ...base, rule, breaks, reason }),
  ];
  if (UPPER.has(key) || LOWER.has(key)) {
    if (typeof b === 'boolean' || typeof h === 'boolean')
      return one('wire.keyword-changed', ['reader', 'writer'], `'${key}' changed form (${showChange(b, h)})`);
    const upper = UPPER.has(key);
    const tightened =
      b === undefined || (h !== undefined && (upper ? Number(h) < Number(b) : Number(h) > Number(b)));
    return tightened
      ? one('wire.bound-tightened', ['writer'], `${key} tightened (${showChange(b, h)}): ${TIGHTENED}`)
      : one('wire.bound-loosened', ['reader'], `${key} loosened (${showChange(b, h)}): ${LOOSENED}`);
  }
  switch (key) {
    case 'type': {
      const bt = typeSet(b);
      const ht = typeSet(h);
      const widened = ht.filter((t) => !covers(bt, t));
      const narrowed = bt.filter((t) => !covers(ht, t));
      if (widened.length > 0 && narrowed.length > 0)
        return one(
          'wire.type-changed',
          ['reader', 'writer'],
          `type changed (${showChange(b, h)}): both sides break`,
        );
      if (widened.length > 0)
        return one(
          'wire.type-widened',
          ['reader'],
          `type widened to also allow ${widened.join(', ')}: ${LOOSENED}`,
        );
      return one(
        'wire.type-narrowed',
        ['writer'],
        `type narrowed, no longer allows ${narrowed.join(', ')}: ${TIGHTENED}`,
      );
    }
    case 'enum': {
      if (!Array.isArray(b))
        return one('wire.enum-added', ['writer'], `values restricted to ${show(h)}: ${TIGHTENED}`);
      if (!Array.isArray(h))
        return one('wire.enum-removed', ['reader'], `enum ${show(b)} removed: ${LOOSENED}`);
      const added = h.filter((v) => !b.some((x) => deepEqual(x, v)));
      const removed = b.filter((v) => !h.some((x) => deepEqual(x, v)));
      const out: Finding[] = [];
      if (removed.length > 0)
        out.push(
          ...one(
            'wire.enum-value-removed',
            ['writer'],
            `enum value(s) ${removed.map((v) => show(v)).join(', ')} removed: existing writers may still send them and new readers reject them`,
          ),
        );
      if (added.length > 0)
        out.push(
          ...one(
            'wire.enum-value-added',
            ['reader'],
            `enum value(s) ${added.map((v) => show(v)).join(', ')} added: new writers may send them and existing readers reject them`,
          ),
        );
      // Only the order changed: same set of values.
      if (out.length === 0)
        out.push(
          finding({
            ...base,
            rule: 'wire.enum-reordered',
            reason: 'enum values reordered; the same values are valid (generated code may change order)',
          }),
        );
      return out;
    }
    case 'const':
      if (b === undefined)
        return one('wire.const-added', ['writer'], `value fixed to ${show(h)}: ${TIGHTENED}`);
      if (h === undefined)
        return one('wire.const-removed', ['reader'], `const ${show(b)} removed: ${LOOSENED}`);
      return one(
        'wire.const-changed',
        ['reader', 'writer'],
        `const changed ${showChange(b, h)}: no value is valid for both old and new`,
      );
    case 'pattern':
      return comparePattern(b, h, base);
    case 'format':
      if (b === undefined)
        return one(`wire.${key}-added`, ['writer'], `${key} ${show(h)} added: ${TIGHTENED}`);
      if (h === undefined)
        return one(`wire.${key}-removed`, ['reader'], `${key} ${show(b)} removed: ${LOOSENED}`);
      return one(
        `wire.${key}-changed`,
        ['reader', 'writer'],
        `${key} changed ${showChange(b, h)}: inclusion of one in the other is not decided, so both sides are assumed to break`,
      );
    case 'uniqueItems':
      return h === true
        ? one('wire.bound-tightened', ['writer'], `uniqueItems now required: ${TIGHTENED}`)
        : one('wire.bound-loosened', ['reader'], `uniqueItems no longer required: ${LOOSENED}`);
    case 'multipleOf':
      if (b === undefined)
        return one('wire.bound-tightened', ['writer'], `multipleOf ${show(h)} added: ${TIGHTENED}`);
      if (h === undefined)
        return one('wire.bound-loosened', ['reader'], `multipleOf ${show(b)} removed: ${LOOSENED}`);
      return compareMultipleOf(Number(b), Number(h), one);
    default:
      return one(
        'wire.keyword-changed',
        ['reader', 'writer'],
        `'${key}' changed (${showChange(b, h)}); no rule proves it compatible, so both sides are assumed to break`,
      );
  }
}
