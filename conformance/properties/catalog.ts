import type { ClauseId } from 'continuum-contract';
import type { Evidence, Finding } from '../core/finding.js';
import { scheduleMessages } from '../streams/schedule.js';
import type { Schedule } from '../streams/schedule.js';
import { sweepSchedules } from '../streams/schedule-arbitrary.js';
import type { Profile } from '../streams/schedule-arbitrary.js';
import { SWEEP_KINDS } from '../streams/validator-sweep.js';
import { attributePoison } from './poison-attribution.js';

/** One property of the kit: a shape of schedules and the clauses it exists to test. */
export interface PropertyDef {
  name: string;
  title: string;
  /** Clauses its checks can fail and credit; a clause is passed only on the evidence they count. */
  clauses: ClauseId[];
  profile: Profile;
  /** Needs the kit to own the projector process (--projector-cmd): kill -9 and restart. */
  needsProcess?: boolean;
  /** Multiplies --num-runs (slow properties run fewer times). */
  runsFactor?: number;
  /** At most this many runs whatever --num-runs says (kill -9 runs are serial and slow). */
  maxRuns?: number;
  /** Runs in the first wave (default: one per --concurrency slot). */
  firstWave?: number;
  /** At most this many minimising executions whatever --max-shrinks says. */
  maxShrinks?: number;
  /** Renames the generic checks' violations to the clause this property exists for. */
  attribute?: (findings: Finding[]) => Finding[];
  /** Situations of its own clause that the generic checks do not count (the poison a run sent). */
  situations?: (schedule: Schedule) => Evidence;
  /**
   * A deterministic check: exactly these schedules, one run each, whatever --num-runs says, all of
   * them in the first wave (random runs follow only with `profile`, not here).
   */
  examples?: { runs: number; schedules: (seed: number) => Schedule[] };
}

const base: Profile = {
  tenants: 1,
  agents: 1,
  episodes: 2,
  instants: 4,
  deleteWeight: 1,
  minEvents: 1,
  maxEvents: 10,
  maxCopies: 1,
  reorder: 'shuffle',
  window: 0,
  redeliveryPhase: false,
  maxMismatches: 0,
  maxBadInputs: 0,
  crashes: false,
};

/** Every projector property, in run order. */
export const PROJECTOR_PROPERTIES: PropertyDef[] = [
  {
    name: 'oracle',
    title: 'After any stream, the rows equal the model',
    clauses: ['CT-4.consume', 'CT-4.upsert', 'CT-3.delivery', 'CT-3.unknown-fields'],
    profile: { ...base, tenants: 2, agents: 2, episodes: 3, instants: 6, maxEvents: 12 },
  },
  {
    name: 'duplicates',
    title: 'A redelivered event changes nothing after its first projection',
    clauses: ['CT-4.dedup', 'CT-3.idempotency', 'CT-9.duplicate-rate'],
    profile: { ...base, maxEvents: 8, maxCopies: 3, redeliveryPhase: true },
  },
  {
    name: 'reordering',
    title: 'Any permutation gives the same rows: guard, tie-break, delete is final, stale never overwrites',
    clauses: ['CT-4.guard', 'CT-4.tie-break', 'CT-4.delete', 'CT-4.stale'],
    profile: { ...base, instants: 2, minEvents: 2, maxEvents: 12, deleteWeight: 1 },
  },
  {
    name: 'bounded-reordering',
    title: 'Reordering within a window of 2 gives the same rows',
    clauses: ['CT-4.guard', 'CT-4.tie-break', 'CT-4.delete'],
    profile: { ...base, instants: 3, minEvents: 2, maxEvents: 12, reorder: 'window', window: 2 },
  },
  {
    name: 'tenant-isolation',
    title: 'Same ids under other tenants/agents stay apart; envelope/subject mismatches are rejected',
    clauses: ['CT-7.tenant-isolation', 'CT-4.subject-match', 'CT-3.idempotency', 'CT-4.upsert'],
    profile: { ...base, tenants: 3, agents: 2, episodes: 2, minEvents: 2, maxEvents: 10, maxMismatches: 3 },
  },
  {
    name: 'bad-input',
    title: 'Bad input goes to the DLQ with a reason, is never projected, and consumption continues',
    clauses: ['CT-4.dlq', 'CT-6.dlq', 'CT-3.size', 'CT-3.json'],
    // Random bad input, near-miss ids beside their valid twins, interleaved with valid events.
    profile: { ...base, maxEvents: 8, maxBadInputs: 8 },
  },
  {
    name: 'corruption-sweep',
    title: 'Every kind of the corruption catalog goes to the DLQ under its clause, and consumption continues',
    clauses: ['CT-4.dlq', 'CT-6.dlq', 'CT-3.size', 'CT-3.json'],
    // The whole catalog (consumer mode), one kind per schedule, so every validator clause is
    // exercised against the projector (credited per clause when dead-lettered) and a failure names
    // the one kind it mishandled.
    profile: base,
    examples: {
      runs: SWEEP_KINDS.length,
      schedules: (seed) => sweepSchedules('corruption-sweep', base, seed),
    },
  },
  {
    name: 'poison',
    title: 'Deep and wide poison never holds up consumption: later events of other tenants are projected',
    clauses: ['CT-4.poison', 'CT-3.size', 'CT-3.unknown-fields'],
    // The poison goes first, on the first event's subject; the second tenant's events follow it.
    profile: { ...base, tenants: 2, agents: 2, minEvents: 4, maxEvents: 10, poison: true },
    attribute: attributePoison,
    // Each deep poison body sent is a situation of CT-4.poison (judged by the rows and DLQ checks).
    situations: (schedule) =>
      new Map([
        [
          'CT-4.poison',
          scheduleMessages(schedule).filter((m) => m.label?.startsWith('body nested') === true).length,
        ],
      ]),
    runsFactor: 0.5,
  },
  {
    name: 'valkey',
    title: 'Keys are in allowed families, tenant-prefixed, with bounded TTLs, and hold no body',
    clauses: ['CT-5.families', 'CT-5.tenant-prefix', 'CT-5.cache-ttl', 'CT-5.no-body', 'CT-5.cache-current'],
    profile: { ...base, tenants: 2, agents: 2, maxEvents: 8, deleteWeight: 1 },
  },
  {
    name: 'crash',
    title: 'kill -9 and restart of the projector loses nothing (ack after commit)',
    clauses: ['CT-4.ack-after-commit'],
    profile: {
      ...base,
      episodes: 6,
      instants: 8,
      minEvents: 20,
      maxEvents: 40,
      maxCopies: 0,
      deleteWeight: 1,
      // Bad input too: a DLQ entry is committed before its message is acknowledged like any row.
      maxBadInputs: 3,
      crashes: true,
    },
    needsProcess: true,
    runsFactor: 0.5,
    maxRuns: 8,
    // A kill -9 lands where it loses a broken projector's messages in about half the runs
    // (ack-before-commit: 14 of 26): two in the first wave, eight in all.
    firstWave: 2,
    // Each candidate is a serial kill -9 run of about 3 s, and whether it fails depends on where
    // the kill lands: a few candidates, not a minute of them.
    maxShrinks: 10,
  },
];
