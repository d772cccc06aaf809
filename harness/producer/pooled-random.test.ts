import { monotonicFactory } from 'ulid';
import { describe, expect, it } from 'vitest';
import { pooledRandom } from './pooled-random.js';

describe('pooledRandom', () => {
  it('draws bytes / 256 in [0, 1) and keeps drawing past a pool refill', () => {
    const random = pooledRandom();
    const counts = new Array<number>(256).fill(0);
    const draws = 3 * 4096 + 17; // three refills and a bit
    for (let i = 0; i < draws; i++) {
      const x = random();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
      expect(Number.isInteger(x * 256)).toBe(true);
      counts[x * 256]!++;
    }
    // ~48 draws per byte value: a stuck or repeated pool would leave most values unseen.
    expect(counts.filter((c) => c > 0).length).toBeGreaterThan(240);
  });

  it('gives ulid monotonic ids that are valid and strictly increasing', () => {
    const ulid = monotonicFactory(pooledRandom());
    const ids = Array.from({ length: 10_000 }, () => ulid());
    for (const id of ids) expect(id).toMatch(/^[0-7][0-9A-HJKMNP-TV-Z]{25}$/);
    for (let i = 1; i < ids.length; i++) expect(ids[i]! > ids[i - 1]!).toBe(true);
  });
});
