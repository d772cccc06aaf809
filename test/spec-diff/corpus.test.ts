import { describe, expect, it } from 'vitest';
import { diffExitCode } from '../../cli/commands/diff.js';
import { diffSpecs } from '../../spec-diff/diff-specs.js';
import type { Classification } from '../../spec-diff/finding.js';
import { checkVersion } from '../../spec-diff/version-check.js';
import { COMPAT_MUTATIONS } from './compat-corpus.js';
import { MUTATIONS } from './mutation-corpus.js';
import { realSpecFiles, toSource } from './spec-files.js';

const REQUIRED: Record<Classification, 'major' | 'bump' | 'none'> = {
  breaking: 'major',
  'non-breaking': 'bump',
  'doc-only': 'none',
};

describe('spec diff of the real spec against itself', () => {
  it('finds nothing and needs no bump', async () => {
    const report = await diffSpecs(toSource(realSpecFiles(), 'base'), toSource(realSpecFiles(), 'head'), {
      validate: false,
    });
    expect(report.findings).toEqual([]);
    expect(report.version).toMatchObject({ ok: true, required: 'none', actual: 'none' });
  });
});

describe.each([...MUTATIONS, ...COMPAT_MUTATIONS])('corpus: $name ($category)', (mutation) => {
  it.each(['forward', 'reverse'] as const)('%s', async (direction) => {
    const real = realSpecFiles();
    mutation.prepare?.(real);
    const mutated = structuredClone(real);
    mutation.mutate(mutated);
    const [base, head] = direction === 'forward' ? [real, mutated] : [mutated, real];
    const expected = mutation[direction];

    const report = await diffSpecs(toSource(base, 'base'), toSource(head, 'head'), { validate: false });
    const listing = report.findings
      .map((f) => `${f.classification} ${f.category} ${f.rule} ${f.pointer}`)
      .join('\n');
    const hit = report.findings.find((f) => f.rule === expected.rule && f.category === mutation.category);
    expect(hit, `expected ${expected.rule} among:\n${listing}`).toBeDefined();
    expect(hit?.classification, listing).toBe(expected.classification);
    expect(hit?.pointer).toMatch(/^\/[^/]/);
    expect(hit?.reason.length).toBeGreaterThan(10);
    expect(hit?.breaks.length === 0).toBe(expected.classification !== 'breaking');

    // The pair as a whole needs exactly the bump its expected classification needs: no stray
    // breaking finding in a non-breaking pair, no missed one in a breaking pair.
    const required = REQUIRED[expected.classification];
    expect(report.version.required, listing).toBe(required);
    expect(report.version.ok).toBe(required === 'none');
    expect(checkVersion('1.0.0', '2.0.0', report.findings).ok).toBe(true);
    expect(checkVersion('1.0.0', '1.1.0', report.findings).ok).toBe(required !== 'major');
    expect(checkVersion('1.0.0', '1.0.1', report.findings).ok).toBe(required !== 'major');
    // Exit codes of `continuum-kit diff`: as is (info.version unchanged), and with a minor bump.
    expect(diffExitCode(report, false)).toBe(required === 'none' ? 0 : 1);
    const minorBump = { ...report, ok: checkVersion('1.0.0', '1.1.0', report.findings).ok };
    expect(diffExitCode(minorBump, false)).toBe(required === 'major' ? 1 : 0);
    expect(diffExitCode(minorBump, true)).toBe(required === 'major' ? 1 : 0);
  });
});
