import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { corruptedEventArb } from '../conformance/arbitraries/corruption.js';
import { validEventArb } from '../conformance/arbitraries/valid-event.js';
import { validators } from '../packages/contract/generated/validators.js';
import { CheckCompiler, UnsupportedSchema } from './render-check.js';

const MODES = ['episodeEventProducer', 'episodeEventConsumer'] as const;

/** check must say exactly what ajv's boolean code says (ajv is the reference). */
function agree(value: unknown): void {
  for (const name of MODES) {
    const set = validators[name];
    expect(set.check, name).not.toBe(set.fast);
    expect(set.check(value), `${name} on ${JSON.stringify(value)}`).toBe(set.fast(value));
  }
}

// Paths a mutation may replace or delete; [] picks a fresh metadata key.
const PATHS = [
  ['event_id'],
  ['event_type'],
  ['tenant_id'],
  ['agent_id'],
  ['episode_id'],
  ['source_ts'],
  ['schema_version'],
  ['payload'],
  ['payload', 'content_ref'],
  ['payload', 'summary'],
  ['payload', 'tags'],
  ['payload', 'tags', '0'],
  ['payload', 'tags', '1'],
  ['payload', 'embedding_ref'],
  ['payload', 'metadata'],
  ['payload', 'metadata', 'k'],
  ['extra'],
  ['payload', 'extra'],
];

const oddValue = fc.oneof(
  fc.jsonValue(),
  fc.string({ unit: 'binary', maxLength: 70 }),
  fc.constantFrom('', 'a', 'x'.repeat(65), '\u0000', 'a b', '\ud800', '1', 1.5, -0, 2 ** 53, NaN),
  fc.constant(undefined),
);

describe('single-walk check agrees with ajv', () => {
  it('accepts every valid event (default and realistic sizes)', () => {
    fc.assert(
      fc.property(fc.oneof(validEventArb(), validEventArb({ size: 'realistic' })), (event) => {
        for (const name of MODES) expect(validators[name].check(event), name).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it('says what ajv says on every single-field corruption of the catalog', () => {
    fc.assert(
      fc.property(corruptedEventArb(), ({ body }) => {
        const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch {
          fc.pre(false);
        }
        agree(value);
      }),
      { numRuns: 600 },
    );
  });

  it('says what ajv says when any field is replaced by an arbitrary JSON value or removed', () => {
    fc.assert(
      fc.property(validEventArb(), fc.constantFrom(...PATHS), oddValue, (event, path, value) => {
        const copy = structuredClone(event) as unknown as Record<string, unknown>;
        let node: Record<string, unknown> = copy;
        for (const key of path.slice(0, -1)) {
          const next = node[key];
          if (next === null || typeof next !== 'object') return;
          node = next as Record<string, unknown>;
        }
        const last = path[path.length - 1] as string;
        if (value === undefined) delete node[last];
        else node[last] = value;
        agree(copy);
      }),
      { numRuns: 1500 },
    );
  });
});

function build(schema: Record<string, unknown>): (x: unknown) => boolean {
  const compiler = new CheckCompiler('t_');
  const root = compiler.compile(schema);
  const runtime =
    'const ucs2length = (s) => [...s].length;\n' +
    'const hasDuplicateString = (a) => new Set(a).size !== a.length;\n';
  return new Function(`${runtime}${compiler.lines.join('\n')}\nreturn ${root};`)() as (x: unknown) => boolean;
}

describe('check compiler', () => {
  it('refuses keywords it does not cover, so ajv stays the only validator there', () => {
    expect(() => build({ type: 'number', minimum: 1 })).toThrow(UnsupportedSchema);
    expect(() => build({ anyOf: [{ type: 'string' }] })).toThrow(UnsupportedSchema);
    expect(() => build({ type: 'array', items: { type: 'object' }, uniqueItems: true })).toThrow(
      UnsupportedSchema,
    );
  });

  it('keeps oneOf exactly-one when the branches may overlap', () => {
    const check = build({
      oneOf: [
        { type: 'string', maxLength: 3 },
        { type: 'string', minLength: 2 },
      ],
    });
    expect(check('a')).toBe(true);
    expect(check('ab')).toBe(false);
    expect(check('abcd')).toBe(true);
    expect(check(1)).toBe(false);
  });

  it('compares UTF-16 length only where the pattern rules out surrogates, and stays exact', () => {
    const ascii = build({ type: 'string', minLength: 2, maxLength: 3, pattern: '^[a-z]*$' });
    expect(ascii('ab')).toBe(true);
    expect(ascii('abcd')).toBe(false);
    expect(ascii('a')).toBe(false);
    expect(ascii('\u{1F680}')).toBe(false);
    // [^\s] admits surrogates: an astral character is one code point, not two units.
    const any = build({ type: 'string', minLength: 2, maxLength: 2, pattern: '^[^\\s]+$' });
    expect(any('\u{1F680}\u{1F680}')).toBe(true);
    expect(any('\u{1F680}')).toBe(false);
    expect(any('abc')).toBe(false);
    const source = new CheckCompiler('s_');
    source.compile({ type: 'string', maxLength: 27, pattern: '^[0-9]{4}-(0[1-9]|1[0-2])$' });
    source.compile({ type: 'string', maxLength: 27, pattern: '^[^\\s]+$' });
    const text = source.lines.join('\n');
    expect(text).toContain('if (x.length > 27) return false;');
    expect(text).toContain('ucs2length(x) > 27');
  });

  it('counts code points for length bounds', () => {
    const check = build({ type: 'string', minLength: 2, maxLength: 2 });
    expect(check('\u{1F680}\u{1F680}')).toBe(true);
    expect(check('\u{1F680}')).toBe(false);
    expect(check('abc')).toBe(false);
  });
});
