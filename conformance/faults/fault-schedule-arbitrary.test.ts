import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { faultScheduleArbitrary } from './fault-schedule-arbitrary.js';
import { scheduleFaults, scheduleWrites, type FaultSchedule } from './fault-schedule.js';

describe('fault schedule arbitraries', () => {
  it('generate JSON-serialisable schedules with only the given faults, at least one fault, each kind once per step', () => {
    fc.assert(
      fc.property(
        faultScheduleArbitrary({ faults: ['latency', 'projector-kill', 'pg-restart'], maxFaultsPerStep: 2 }),
        (s) => {
          expect(JSON.parse(JSON.stringify(s))).toEqual(s);
          expect(scheduleFaults(s)).toBeGreaterThan(0);
          for (const step of s.steps) {
            if (step.op !== 'fault') continue;
            expect(
              step.faults.every((f) => ['latency', 'projector-kill', 'pg-restart'].includes(f.kind)),
            ).toBe(true);
            expect(new Set(step.faults.map((f) => f.kind)).size).toBe(step.faults.length);
          }
        },
      ),
    );
  });

  it('shrink a failing schedule to one minimal fault step', () => {
    // A "bug" that needs a pg-restart: the shrunk counterexample keeps only that.
    const failsOnPgRestart = (s: FaultSchedule): boolean =>
      !s.steps.some((x) => x.op === 'fault' && x.faults.some((f) => f.kind === 'pg-restart'));
    const details = fc.check(
      fc.property(
        faultScheduleArbitrary({ faults: ['latency', 'pg-restart', 'valkey-down'] }),
        failsOnPgRestart,
      ),
      { seed: 3, numRuns: 200 },
    );
    expect(details.failed).toBe(true);
    const [shrunk] = details.counterexample as [FaultSchedule];
    expect(shrunk.steps).toHaveLength(2);
    expect(shrunk.steps[1]).toEqual({
      op: 'fault',
      faults: [{ kind: 'pg-restart' }],
      holdMs: 300,
      writes: 1,
    });
    expect(scheduleWrites(shrunk)).toBe(6);
  });

  it('refuse an empty fault list', () => {
    expect(() => faultScheduleArbitrary({ faults: [] })).toThrow(RangeError);
  });
});
