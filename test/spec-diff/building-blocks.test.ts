import { describe, expect, it } from 'vitest';
import { diffSpecs } from '../../spec-diff/diff-specs.js';
import { showChange } from '../../spec-diff/json-utils.js';
import { comparePatterns } from '../../spec-diff/regex-language.js';
import { mergedSchema } from '../../spec-diff/schema-merge.js';
import { finiteValues } from '../../spec-diff/schema-values.js';
import { addressFilter, subjectCovers } from '../../spec-diff/subject-coverage.js';
import { realSpecFiles, toSource } from './spec-files.js';

describe('comparePatterns (refa)', () => {
  it('decides equivalence, inclusion and neither, with a witness that tells them apart', () => {
    expect(comparePatterns(['^[0-9]+$'], ['^\\d+$'])).toEqual({ kind: 'equal' });
    const narrowed = comparePatterns(['^[a-z]{1,4}$'], ['^[a-z]{1,3}$']);
    expect(narrowed.kind).toBe('narrowed');
    if (narrowed.kind === 'narrowed') {
      expect(new RegExp('^[a-z]{1,4}$', 'u').test(narrowed.example)).toBe(true);
      expect(new RegExp('^[a-z]{1,3}$', 'u').test(narrowed.example)).toBe(false);
    }
    expect(comparePatterns(['^a'], ['^a|^b']).kind).toBe('widened');
    expect(comparePatterns(['^a$'], ['^b$']).kind).toBe('incomparable');
  });

  it('reads pattern as an unanchored search, as JSON Schema does', () => {
    expect(comparePatterns(['abc'], ['^.*abc.*$']).kind).not.toBe('equal');
    expect(comparePatterns(['abc'], ['^[^]*abc'])).toEqual({ kind: 'equal' });
    expect(comparePatterns([], ['.*'])).toEqual({ kind: 'equal' });
  });

  it('treats a list of patterns as their conjunction', () => {
    expect(comparePatterns(['^[a-z]+$', '^.{1,3}$'], ['^[a-z]{1,3}$'])).toEqual({ kind: 'equal' });
  });

  it('stays undecided outside the regular subset (lookarounds, word boundaries)', () => {
    expect(comparePatterns(['^(?=a)a'], ['^a']).kind).toBe('undecided');
    expect(comparePatterns(['\\bword'], ['word']).kind).toBe('undecided');
  });
});

describe('finiteValues (ajv)', () => {
  it('keeps only the const/enum values the whole schema accepts', () => {
    expect(finiteValues({ type: 'integer', const: 1 })).toEqual([1]);
    expect(finiteValues({ type: 'string', enum: ['a', 'bb', 3], maxLength: 1 })).toEqual(['a']);
    expect(finiteValues({ type: 'string' })).toBeUndefined();
  });
});

describe('mergedSchema (json-schema-merge-allof)', () => {
  it('merges allOf parts, keeps patterns as a list, refuses contradictions', () => {
    expect(
      mergedSchema({
        allOf: [
          { type: 'string', pattern: '^a' },
          { maxLength: 3, pattern: 'b$' },
        ],
      }),
    ).toEqual({ type: 'string', maxLength: 3, pattern: ['^a', 'b$'] });
    expect(mergedSchema({ allOf: [{ const: 1 }, { const: 2 }] })).toBeUndefined();
  });
});

describe('subject coverage', () => {
  it('maps an address to a NATS filter and decides wildcard coverage', () => {
    expect(addressFilter('continuum.episode.v1.{tenant_id}.{agent_id}')).toBe('continuum.episode.v1.*.*');
    expect(subjectCovers('continuum.episode.v1.*.*', 'continuum.episode.v1.*.*')).toBe(true);
    expect(subjectCovers('continuum.>', 'continuum.episode.v1.*.*')).toBe(true);
    expect(subjectCovers('continuum.episode.v1.*.*', 'continuum.episodes.v1.*.*')).toBe(false);
    expect(subjectCovers('continuum.episode.v1.*', 'continuum.episode.v1.*.*')).toBe(false);
    expect(subjectCovers('continuum.episode.v1.acme.*', 'continuum.episode.v1.*.*')).toBe(false);
  });
});

describe('showChange', () => {
  it('shows the changed words of long texts, not a prefix', () => {
    const before =
      'Events compare by (source_ts as an instant at microsecond precision, then event_id as a byte string: PostgreSQL COLLATE "C"). Two distinct events never compare equal.';
    const after = before.replace('byte string', 'code point sequence');
    const shown = showChange(before, after);
    expect(shown).toContain('[-byte string-]{+code point sequence+}');
    expect(shown.length).toBeLessThan(before.length);
    expect(showChange(1, 2)).toBe('1 -> 2');
  });
});

describe('reasons of a diff', () => {
  it('show the changed words of a long normative text and the side that breaks', async () => {
    const base = realSpecFiles();
    const head = realSpecFiles();
    head.spec['x-delivery'].tie_break = String(head.spec['x-delivery'].tie_break).replace(
      'winner is the same',
      'winner is the latest',
    );
    const report = await diffSpecs(toSource(base, 'base'), toSource(head, 'head'), { validate: false });
    const tieBreak = report.findings.find((f) => f.pointer === '/x-delivery/tie_break');
    expect(tieBreak?.rule).toBe('semantics.delivery-changed');
    expect(tieBreak?.breaks).toEqual(['reader', 'writer']);
    expect(tieBreak?.reason).toContain('[-same-]{+latest+}');
  });
});
