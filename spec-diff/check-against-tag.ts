/**
 * `npm run check` step: diffs asyncapi.yaml in the working tree against the last release tag
 * (`git describe --tags --abbrev=0 --match 'v*'`) and fails like `continuum-kit diff` does.
 * Without a release tag there is nothing to compare against, and the step passes.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { diffSpecs } from './diff-specs.js';
import { formatReport } from './format-report.js';
import { lastReleaseTag } from './last-release-tag.js';
import { SpecDiffError } from './spec-diff-error.js';
import { fileSource, gitSource } from './spec-source.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tag = await lastReleaseTag(root);
if (tag === undefined) {
  process.stderr.write("spec diff: no release tag matching 'v*'; nothing to compare against\n");
} else {
  try {
    const report = await diffSpecs(
      await gitSource(tag, 'asyncapi.yaml', root),
      fileSource(path.join(root, 'asyncapi.yaml')),
    );
    process.stdout.write(formatReport(report, 'text'));
    process.exitCode = report.ok ? 0 : 1;
  } catch (error) {
    if (!(error instanceof SpecDiffError)) throw error;
    process.stderr.write(`spec diff: ${error.code}: ${error.message}\n`);
    process.exitCode = 2;
  }
}
