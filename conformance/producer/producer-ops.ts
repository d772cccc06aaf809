import fc from 'fast-check';

/** One thing the kit asks the producer to do through the driver. */
export type ProducerOp =
  | { op: 'create'; agent: number; sensitive: boolean; secret: boolean; tags: string[] }
  | { op: 'update'; target: number; secret: boolean }
  | { op: 'summarize'; target: number; secret: boolean }
  | { op: 'delete'; target: number }
  | { op: 'bus-down' }
  | { op: 'bus-up' };

/** Planted in every body: it must never leave the producer (CT-7.redaction). */
export const LOCAL_BODY_MARKER = 'ck-local-only-body-91d2';
/** Matched by the tenant's redaction pattern; must never reach the bus. */
export const SECRET = 'SECRET4711';
export const REDACT_PATTERN = 'SECRET[0-9]+';

/**
 * Run first, before the generated sequences, so that every run of the producer property takes the
 * bus away under writes and exports sensitive and secret-bearing episodes, whatever the seed draws
 * (ten random sequences can all miss a bus-down followed by a write).
 */
export const COVERAGE_OPS: readonly ProducerOp[] = [
  { op: 'create', agent: 0, sensitive: false, secret: true, tags: ['a'] },
  { op: 'create', agent: 1, sensitive: true, secret: false, tags: [] },
  { op: 'bus-down' },
  { op: 'create', agent: 0, sensitive: false, secret: false, tags: ['b'] },
  { op: 'update', target: 0, secret: true },
  { op: 'summarize', target: 1, secret: false },
  { op: 'delete', target: 2 },
  { op: 'bus-up' },
  { op: 'create', agent: 1, sensitive: false, secret: false, tags: [] },
];

/** Sequences of writes with sensitive episodes, secrets to redact and bus outages. */
export function producerOps(): fc.Arbitrary<ProducerOp[]> {
  const target = fc.nat(20);
  return fc.array(
    fc.oneof(
      {
        weight: 4,
        arbitrary: fc.record({
          op: fc.constant('create' as const),
          agent: fc.nat(1),
          sensitive: fc.boolean(),
          secret: fc.boolean(),
          tags: fc.uniqueArray(fc.stringMatching(/^[a-z]{1,6}$/), { maxLength: 3 }),
        }),
      },
      {
        weight: 2,
        arbitrary: fc.record({ op: fc.constant('update' as const), target, secret: fc.boolean() }),
      },
      {
        weight: 1,
        arbitrary: fc.record({ op: fc.constant('summarize' as const), target, secret: fc.boolean() }),
      },
      { weight: 1, arbitrary: fc.record({ op: fc.constant('delete' as const), target }) },
      { weight: 1, arbitrary: fc.constant({ op: 'bus-down' as const }) },
      { weight: 1, arbitrary: fc.constant({ op: 'bus-up' as const }) },
    ),
    { minLength: 1, maxLength: 14 },
  );
}
