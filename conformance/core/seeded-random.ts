import fc from 'fast-check';

/**
 * A small mutable 32-bit generator (SplitMix32) in the shape fast-check's `Random` wraps. Each run
 * index gets its own stream derived from (seed, index), so a run's schedule depends on nothing
 * but those two numbers: runs can execute in any order and any number at once.
 */
class SplitMix32 {
  constructor(private state: number) {}

  clone(): SplitMix32 {
    return new SplitMix32(this.state);
  }

  next(): number {
    this.state = (this.state + 0x9e3779b9) | 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) | 0;
  }

  jump(): void {
    for (let i = 0; i < 42; i++) this.next();
  }

  getState(): readonly number[] {
    return [this.state];
  }
}

/** fast-check's bias schedule: small values first, widening with the run index. */
function biasOf(runIndex: number): number {
  return 2 + Math.floor(Math.log10(runIndex + 1));
}

/** The value of run `runIndex` under `seed`, with its shrink context. */
export function generateRun<T>(arb: fc.Arbitrary<T>, seed: number, runIndex: number): fc.Value<T> {
  const mixer = new SplitMix32((seed ^ Math.imul(runIndex + 1, 0x27d4eb2d)) | 0);
  const rng = new SplitMix32(mixer.next() ^ mixer.next());
  return arb.generate(new fc.Random(rng as never), biasOf(runIndex));
}
