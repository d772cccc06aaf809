import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ContractUsageError,
  canonicalSourceTs,
  compareOrderingKey,
  parseSourceTs,
  sourceTsToMicros,
} from './index.js';

const instant = fc.tuple(
  fc.integer({ min: Date.UTC(1970, 0, 1) / 1000, max: Date.UTC(2099, 11, 31) / 1000 }),
  fc.integer({ min: 0, max: 999_999 }),
);
const spell = ([seconds, micros]: [number, number], digits: number): string => {
  const base = new Date(seconds * 1000).toISOString().slice(0, 19);
  const fraction = String(micros).padStart(6, '0');
  // Fewer digits only when the dropped ones are zeros: the same instant, another spelling.
  const trimmed = fraction.replace(/0+$/, '');
  const shown =
    digits === 0 && trimmed === '' ? '' : `.${fraction.slice(0, Math.max(digits, trimmed.length, 1))}`;
  return `${base}${shown}Z`;
};

describe('ordering key', () => {
  it('agrees with Date for micros, and canonical spelling keeps the instant', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 0, max: 6 }), (i, digits) => {
        const ts = spell(i, digits);
        expect(sourceTsToMicros(ts)).toBe(BigInt(i[0]) * 1_000_000n + BigInt(i[1]));
        expect(sourceTsToMicros(canonicalSourceTs(ts))).toBe(sourceTsToMicros(ts));
        expect(canonicalSourceTs(ts)).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
      }),
    );
  });
  it('is a total order: instant first, then event_id bytes; spellings of one instant tie', () => {
    fc.assert(
      fc.property(instant, instant, fc.string(), fc.string(), (i, j, e1, e2) => {
        const a = { source_ts: spell(i, 6), event_id: e1 };
        const b = { source_ts: spell(j, 0), event_id: e2 };
        const expected =
          i[0] !== j[0] || i[1] !== j[1]
            ? Math.sign(i[0] - j[0] || i[1] - j[1])
            : Math.sign(Buffer.compare(Buffer.from(e1), Buffer.from(e2)));
        expect(compareOrderingKey(a, b)).toBe(expected);
        expect(compareOrderingKey(b, a)).toBe(-expected);
      }),
    );
  });
  it('equal instants with different spellings compare by event_id', () => {
    const a = { source_ts: '2026-01-01T00:00:00.5Z', event_id: '01B' };
    const b = { source_ts: '2026-01-01T00:00:00.500000Z', event_id: '01A' };
    expect(compareOrderingKey(a, b)).toBe(1);
    expect(compareOrderingKey(a, { ...a })).toBe(0);
  });
  it('rejects timestamps outside the contract with INVALID_TIMESTAMP', () => {
    for (const ts of ['2026-02-30T00:00:00Z', '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00.1234567Z']) {
      expect(parseSourceTs(ts)).toBeUndefined();
      expect(() => sourceTsToMicros(ts)).toThrow(ContractUsageError);
    }
    expect(parseSourceTs('2024-02-29T00:00:00Z')).toBeDefined();
    expect(sourceTsToMicros('1970-01-01T00:00:00.000001Z')).toBe(1n);
  });
});
