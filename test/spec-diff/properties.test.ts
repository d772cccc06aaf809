import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diffSpecs } from '../../spec-diff/diff-specs.js';
import { SpecDiffError } from '../../spec-diff/spec-diff-error.js';
import { COMPAT_MUTATIONS } from './compat-corpus.js';
import { MUTATIONS } from './mutation-corpus.js';
import { type SpecFiles, realSpecFiles, toSource } from './spec-files.js';

const CORPUS = [...MUTATIONS, ...COMPAT_MUTATIONS];

/** The real spec with some corpus mutations applied: specs of many shapes, all built from real edits. */
const specArbitrary = fc.subarray(CORPUS, { maxLength: 6 }).map((mutations) => {
  const files = realSpecFiles();
  for (const m of mutations) {
    try {
      m.prepare?.(files);
      m.mutate(files);
    } catch {
      // Two edits of the same node may not compose (one deleted what the other edits): skip.
    }
  }
  return files;
});

/** Replaces every string `description` (not a property named so) with the next text, at any depth. */
function redescribe(value: unknown, texts: string[], parentKey = ''): number {
  let count = 0;
  if (Array.isArray(value)) {
    for (const item of value) count += redescribe(item, texts);
    return count;
  }
  if (typeof value !== 'object' || value === null) return 0;
  const object = value as Record<string, unknown>;
  for (const [key, child] of Object.entries(object)) {
    if (key === 'description' && typeof child === 'string' && parentKey !== 'properties') {
      object[key] = texts[count % texts.length] ?? '';
      count += 1;
    } else {
      count += redescribe(child, texts, key);
    }
  }
  return count;
}

/**
 * Diffs two specs built by the arbitrary. Two corpus edits can leave a `$ref` with nothing to
 * point at (one renames a message another channel still names): such a spec is not a spec, so
 * the run is discarded rather than judged.
 */
async function diff(base: SpecFiles, head: SpecFiles) {
  try {
    return await diffSpecs(toSource(base, 'base'), toSource(head, 'head'), { validate: false });
  } catch (error) {
    fc.pre(!(error instanceof SpecDiffError && error.code === 'UNRESOLVED_REF'));
    throw error;
  }
}

describe('spec diff properties', () => {
  it('a spec diffed against itself has no findings and needs no bump', async () => {
    await fc.assert(
      fc.asyncProperty(specArbitrary, async (files) => {
        const report = await diff(files, structuredClone(files));
        expect(report.findings).toEqual([]);
        expect(report.version).toMatchObject({ ok: true, required: 'none' });
      }),
      { numRuns: 15 },
    );
  });

  it('changing every description is never breaking (doc-only, no bump)', async () => {
    await fc.assert(
      fc.asyncProperty(
        specArbitrary,
        fc.array(fc.string({ unit: 'grapheme', maxLength: 40 }), { minLength: 1, maxLength: 8 }),
        async (files, texts) => {
          const head = structuredClone(files);
          const changed =
            redescribe(head.spec, texts) +
            Object.values(head.schemas).reduce((n, schema) => n + redescribe(schema, texts), 0);
          expect(changed).toBeGreaterThan(20);
          const report = await diff(files, head);
          const listing = report.findings.map((f) => `${f.classification} ${f.rule} ${f.pointer}`).join('\n');
          expect(report.counts.breaking, listing).toBe(0);
          expect(report.counts['non-breaking'], listing).toBe(0);
          expect(report.version.ok).toBe(true);
        },
      ),
      { numRuns: 15 },
    );
  });
});
