import { describe, expect, it } from 'vitest';
import { nestingExceeds } from './json-depth.js';

function nested(depth: number, leaf: unknown = 1): unknown {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = i % 2 === 0 ? { a: v } : [v];
  return v;
}

describe('nestingExceeds', () => {
  it('counts objects and arrays from the value itself as level 1', () => {
    expect(nestingExceeds(nested(3), 3)).toBe(false);
    expect(nestingExceeds(nested(4), 3)).toBe(true);
    expect(nestingExceeds('scalar', 0)).toBe(false);
    expect(nestingExceeds({}, 0)).toBe(true);
  });

  it('finds the deep branch among wide shallow ones', () => {
    const wide = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`k${i}`, [i]]));
    expect(nestingExceeds({ ...wide, deep: nested(10) }, 8)).toBe(true);
    expect(nestingExceeds(wide, 8)).toBe(false);
  });

  it('measures a value nested deeper than the call stack allows without throwing', () => {
    const text = `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`;
    expect(nestingExceeds(JSON.parse(text), 64)).toBe(true);
  });
});
