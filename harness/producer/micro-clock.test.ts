import { describe, expect, it } from 'vitest';
import { MicroClock, formatMicros } from './micro-clock.js';

describe('MicroClock', () => {
  it('is strictly increasing even when many readings fall in one microsecond', () => {
    const clock = new MicroClock();
    let last = 0;
    for (let i = 0; i < 10_000; i++) {
      const now = clock.nextMicros();
      expect(now).toBeGreaterThan(last);
      last = now;
    }
  });

  it('never goes below the floor it was given (a restart after the wall clock stepped back)', () => {
    const future = (Date.now() + 3_600_000) * 1000;
    expect(new MicroClock(future).nextMicros()).toBe(future + 1);
  });
});

describe('formatMicros', () => {
  it('writes canonical UTC with six fractional digits', () => {
    expect(formatMicros(Date.UTC(2026, 10, 24, 10, 15, 30, 123) * 1000 + 456)).toBe(
      '2026-11-24T10:15:30.123456Z',
    );
    expect(formatMicros(Date.UTC(2026, 0, 1) * 1000 + 7)).toBe('2026-01-01T00:00:00.000007Z');
  });
});
