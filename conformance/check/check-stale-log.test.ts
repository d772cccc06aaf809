import { describe, expect, it } from 'vitest';
import { staleLogCheck } from './check-stale-log.js';

const ULID = '01JDQ7Z1V6W8N2K4M5P3R9S0TA';
const UUID = '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';

describe('CT-4.stale log half', () => {
  it('passes when every stale event is named, in any format and case, and counts them as evidence', () => {
    const log = `{"level":30,"event_id":"${ULID}","msg":"stale"}\nstale: ${UUID.toUpperCase()} skipped\n`;
    const out = staleLogCheck.run({
      log,
      stale: new Map([
        [ULID, 'ck1-t0'],
        [UUID, 'ck1-t1'],
      ]),
    });
    expect(out.findings).toEqual([]);
    expect(out.evidence.get('CT-4.stale')).toBe(2);
  });

  it('fails naming the event and tenant when a stale event is not in the output', () => {
    const out = staleLogCheck.run({ log: `stale update ${ULID}\n`, stale: new Map([[UUID, 'ck1-t0']]) });
    expect(out.findings).toHaveLength(1);
    expect(out.findings[0]?.clauseId).toBe('CT-4.stale');
    expect(out.findings[0]?.message).toContain(UUID);
    expect(out.findings[0]?.message).toContain('ck1-t0');
    expect(out.evidence.size).toBe(0);
  });

  it('does not count an id that is only part of a longer token', () => {
    const out = staleLogCheck.run({ log: `hash ${ULID}FFFFFFFF\n`, stale: new Map([[ULID, 't']]) });
    expect(out.findings).toHaveLength(1);
  });

  it('lists five missing events and sums up the rest', () => {
    const stale = new Map(
      Array.from({ length: 8 }, (_, i) => [`01JDQ7Z1V6W8N2K4M5P3R9S0T${i}`, 't'] as const),
    );
    const out = staleLogCheck.run({ log: '', stale });
    expect(out.findings).toHaveLength(6);
    expect(out.findings[5]?.message).toMatch(/^3 more stale events of 8/);
  });
});
