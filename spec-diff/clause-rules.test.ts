import { describe, expect, it } from 'vitest';
import { clauseRules } from './clause-rules.js';
import type { LoadedSpec } from './load-spec.js';

const guard = {
  section: 4,
  title: 'Monotonic guard',
  text: 'Strictly greater wins.',
  check: 'conformance',
  side: 'projector',
};

async function rulesFor(
  before: object,
  after: object,
): Promise<{ rule: string; classification: string; reason: string }[]> {
  const spec = (clause: object): LoadedSpec =>
    ({ doc: { 'x-clauses': { 'CT-4.guard': clause } } }) as unknown as LoadedSpec;
  const { findings } = await clauseRules({
    base: spec(before),
    head: spec(after),
    tolerateUnknown: { base: true, head: true },
    sourceOf: (pointer) => `asyncapi.yaml#${pointer}`,
  });
  return findings.map(({ rule, classification, reason }) => ({ rule, classification, reason }));
}

describe('clause rules', () => {
  it('a changed side is its own non-breaking finding naming both sides', async () => {
    expect(await rulesFor(guard, { ...guard, side: 'both' })).toEqual([
      {
        rule: 'info.clause-side-changed',
        classification: 'non-breaking',
        reason:
          "clause CT-4.guard now binds 'both' instead of 'projector': runs of one side select it differently",
      },
    ]);
  });
  it('a changed check and side are both reported; a text change alongside is not doc-only noise', async () => {
    const findings = await rulesFor(guard, {
      ...guard,
      check: 'documented',
      side: 'deployment',
      text: 'Changed.',
    });
    expect(findings.map((f) => f.rule)).toEqual(['info.clause-check-changed', 'info.clause-side-changed']);
    expect(findings.every((f) => f.classification === 'non-breaking')).toBe(true);
  });
  it('only a text change is doc-only', async () => {
    expect(
      (await rulesFor(guard, { ...guard, text: 'Changed.' })).map((f) => [f.rule, f.classification]),
    ).toEqual([['info.doc', 'doc-only']]);
  });
});
