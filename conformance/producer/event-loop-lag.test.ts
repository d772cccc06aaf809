import { describe, expect, it } from 'vitest';
import { watchEventLoopLag } from './event-loop-lag.js';

describe('watchEventLoopLag', () => {
  it('reports a loop blocked for most of the window as lagging by about the block', async () => {
    const stop = watchEventLoopLag();
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 15));
      const until = Date.now() + 80;
      while (Date.now() < until); // block the loop as an overloaded kit would be
    }
    expect(stop()).toBeGreaterThanOrEqual(50);
  });
});
