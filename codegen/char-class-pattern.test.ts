import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  charClassPattern,
  deniesSurrogates,
  matchesOnlyAscii,
  renderCharClass,
} from './char-class-pattern.js';

// Every pattern of the contract that the position-by-position form covers.
const COVERED = [
  '^[0-7][0-9A-HJKMNP-TV-Z]{25}$',
  '^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$',
  '^[a-z0-9][a-z0-9_-]{0,63}$',
  '^[^\\s\\u0000-\\u001f\\u007f]+$',
  '^[A-Za-z0-9_.-]{1,64}$',
  '^[^\\u0000-\\u001f\\u007f]*$',
];

function build(source: string): (s: string) => boolean {
  const table = charClassPattern(source);
  if (table === undefined) throw new Error(`not covered: ${source}`);
  return new Function(`${renderCharClass('m', source, table)}\nreturn m;`)() as (s: string) => boolean;
}

/** Strings near the pattern's shape: its own characters, whitespace, controls, non-ASCII, surrogates. */
function near(source: string): fc.Arbitrary<string> {
  const own = [...new Set(source.replace(/[\\^$[\]{}]/g, ''))];
  const unit = fc.oneof(
    fc.constantFrom(
      ...own,
      '-',
      '7',
      'A',
      'z',
      'Z',
      '0',
      '9',
      ' ',
      '\t',
      '\u00a0',
      '\u2028',
      '\ufeff',
      '\u007f',
    ),
    fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
  );
  return fc.array(unit, { maxLength: 70 }).map((units) => units.join(''));
}

/** A matching string with, half the time, one code unit replaced, inserted or removed. */
function mutated(source: string): fc.Arbitrary<string> {
  const edit = fc.tuple(
    fc.nat(),
    fc.integer({ min: 0, max: 0xffff }),
    fc.constantFrom('set', 'insert', 'drop'),
  );
  return fc.tuple(fc.stringMatching(new RegExp(source)), fc.option(edit)).map(([s, e]) => {
    if (e === null || s.length === 0) return s;
    const [at, code, how] = e;
    const i = at % s.length;
    const c = String.fromCharCode(code);
    if (how === 'set') return s.slice(0, i) + c + s.slice(i + 1);
    if (how === 'insert') return s.slice(0, i) + c + s.slice(i);
    return s.slice(0, i) + s.slice(i + 1);
  });
}

describe('charClassPattern', () => {
  for (const source of COVERED) {
    it(`matches exactly what RegExp(${JSON.stringify(source)}) matches`, () => {
      const matcher = build(source);
      const regexp = new RegExp(source, '');
      fc.assert(
        fc.property(fc.oneof(near(source), mutated(source)), (s) => {
          expect(matcher(s), JSON.stringify(s)).toBe(regexp.test(s));
        }),
        { numRuns: 2000 },
      );
    });
  }

  it('accepts canonical examples and rejects near misses', () => {
    const uuid = build(COVERED[1] as string);
    expect(uuid('0193591f-6e1a-7cc3-8a41-2b7c9d0e1f22')).toBe(true);
    expect(uuid('0193591f-6e1a-4cc3-8a41-2b7c9d0e1f22')).toBe(false);
    expect(uuid('0193591f-6e1a-7cc3-8a41-2b7c9d0e1f2')).toBe(false);
    const id = build(COVERED[2] as string);
    expect(id('acme')).toBe(true);
    expect(id('_acme')).toBe(false);
    expect(id('a'.repeat(65))).toBe(false);
  });

  it('leaves patterns with groups, alternation or a varying middle to RegExp', () => {
    expect(charClassPattern('^[a-z][a-z0-9+.-]{0,31}:[^\\s]+$')).toBeUndefined();
    expect(charClassPattern('^[0-9]{4}-(0[1-9]|1[0-2])$')).toBeUndefined();
    expect(charClassPattern('[a-z]+')).toBeUndefined();
    expect(charClassPattern('^a|b$')).toBeUndefined();
  });
});

const TIMESTAMP =
  '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,6})?Z$';
const REF = '^[a-z][a-z0-9+.-]{0,31}:[^\\s]+$';

describe('surrogate analysis (decides whether length bounds may skip counting code points)', () => {
  it('tabulated patterns: only the classes that exclude every surrogate deny them', () => {
    const denies = (source: string) => deniesSurrogates(charClassPattern(source)!);
    expect(denies(COVERED[0] as string)).toBe(true);
    expect(denies(COVERED[2] as string)).toBe(true);
    expect(denies(COVERED[4] as string)).toBe(true);
    expect(denies(COVERED[3] as string)).toBe(false);
    expect(denies(COVERED[5] as string)).toBe(false);
    expect(denies('^[a-z][\\ud800-\\udbff]$')).toBe(false);
    expect(denies('^[a-z][^\\udc00]$')).toBe(false);
  });

  it('RegExp patterns: only ASCII literals, \\d, escaped punctuation and positive ASCII classes count', () => {
    expect(matchesOnlyAscii(TIMESTAMP)).toBe(true);
    expect(matchesOnlyAscii('^(?:ab|c\\.d)*[x-z]{2}$')).toBe(true);
    for (const source of [
      REF,
      '^a.b$',
      '^[^a]$',
      '^\\w+$',
      '^\\S$',
      '^\\u00e9$',
      '^\\x41$',
      '^é$',
      '^[a-é]$',
      '^(a)\\1$',
    ])
      expect(matchesOnlyAscii(source), source).toBe(false);
  });

  it('a pattern judged ASCII-only never matches a string holding a non-ASCII unit', () => {
    const sources = [...COVERED.filter((c) => deniesSurrogates(charClassPattern(c)!)), TIMESTAMP];
    for (const source of sources) {
      const regexp = new RegExp(source, '');
      fc.assert(
        fc.property(
          fc.stringMatching(regexp),
          fc.nat(),
          fc.integer({ min: 0xd800, max: 0xdfff }),
          (s, at, code) => {
            const i = s.length === 0 ? 0 : at % s.length;
            const c = String.fromCharCode(code);
            expect(regexp.test(s.slice(0, i) + c + s.slice(i + 1))).toBe(false);
            expect(regexp.test(s.slice(0, i) + c + s.slice(i))).toBe(false);
          },
        ),
        { numRuns: 300 },
      );
    }
  });
});
