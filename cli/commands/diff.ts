import { type Command, Option } from 'commander';
import { type DiffReport, diffSpecs } from '../../spec-diff/diff-specs.js';
import { type ReportFormat, formatReport } from '../../spec-diff/format-report.js';
import { SpecDiffError } from '../../spec-diff/spec-diff-error.js';
import { sourceFromArgument } from '../../spec-diff/spec-source.js';
import { EXIT } from '../exit-codes.js';

interface DiffOptions {
  format: ReportFormat;
  repo: string;
  failOnBreaking?: boolean;
}

const EXAMPLES = `
Each side is a file path or REV:PATH (a git revision and a path; $refs into ./schemas are read
at the same revision). Every change is classified breaking / non-breaking / doc-only, by
category (wire, topology, keys, projection, semantics, slo), with a reason and a JSON pointer.
info.version must follow: breaking needs a major bump, other changes any bump, doc-only none.

Both sides are parsed and validated with @asyncapi/parser first; an invalid side is rejected
with the parser's diagnostics (exit 2), never diffed.

Exit codes: 0 compatible and correctly versioned, 1 breaking without a major bump or version
not bumped (or, with --fail-on-breaking, any breaking change), 2 usage error (unreadable file,
bad revision, unparsable or invalid spec).

Examples:
  $ continuum-kit diff origin/main:asyncapi.yaml asyncapi.yaml
  $ continuum-kit diff HEAD~1:asyncapi.yaml HEAD:asyncapi.yaml --format json
  $ continuum-kit diff old/asyncapi.yaml new/asyncapi.yaml --format markdown > comment.md
  $ continuum-kit diff origin/main:node_modules/continuum-kit/asyncapi.yaml node_modules/continuum-kit/asyncapi.yaml --fail-on-breaking
`;

/** The exit code of `continuum-kit diff` for a report: 1 when the version check fails (or, with `failOnBreaking`, on any breaking change), else 0. */
export function diffExitCode(report: DiffReport, failOnBreaking: boolean): number {
  const failed = !report.ok || (failOnBreaking && report.counts.breaking > 0);
  return failed ? EXIT.failure : EXIT.ok;
}

/** Registers `continuum-kit diff BASE HEAD`. */
export function registerDiff(program: Command): void {
  program
    .command('diff')
    .description('classify the changes between two versions of the spec and check info.version (semver)')
    .argument('<base>', 'the old spec: a file or REV:PATH')
    .argument('<head>', 'the new spec: a file or REV:PATH')
    .addOption(
      new Option('--format <format>', 'output format').choices(['text', 'json', 'markdown']).default('text'),
    )
    .option('--repo <dir>', 'git repository (and base directory for relative paths)', process.cwd())
    .option('--fail-on-breaking', 'exit 1 on any breaking change, even with a major bump')
    .addHelpText('after', EXAMPLES)
    .action(async (base: string, head: string, options: DiffOptions) => {
      try {
        const report = await diffSpecs(
          await sourceFromArgument(base, options.repo),
          await sourceFromArgument(head, options.repo),
        );
        process.stdout.write(formatReport(report, options.format));
        if (!report.ok) process.stderr.write(`continuum-kit diff: ${report.version.reason}\n`);
        process.exitCode = diffExitCode(report, options.failOnBreaking === true);
      } catch (error) {
        if (!(error instanceof SpecDiffError)) throw error;
        process.stderr.write(`continuum-kit diff: ${error.code}: ${error.message}\n`);
        process.exitCode = EXIT.usage;
      }
    });
}
