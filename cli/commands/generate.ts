import type { Command } from 'commander';
import type * as RunGenerateModule from '../../codegen/run-generate.js';
import { EXIT } from '../exit-codes.js';

/** Registers `continuum-kit generate [--check] [--spec PATH] [--out DIR]`. */
export function registerGenerate(program: Command): void {
  program
    .command('generate')
    .description(
      'Write the generated code (types, validators, contract constants, migration, alerts) from asyncapi.yaml',
    )
    .option('--check', 'compare instead of writing: exit 1 naming each stale or missing file', false)
    .option('--spec <path>', 'the AsyncAPI document (schemas/ is read from its folder)', 'asyncapi.yaml')
    .option('--out <dir>', 'output folder (default: packages/contract/generated, as in a clone)')
    .addHelpText(
      'after',
      `
Exit codes: 0 written or up to date, 1 stale (--check), 2 spec errors or missing tooling.

Examples:
  $ continuum-kit generate
  $ continuum-kit generate --check
  $ continuum-kit generate --spec ../contract/asyncapi.yaml --out /tmp/generated`,
    )
    .action(async (options: { check: boolean; spec: string; out?: string }) => {
      let runGenerate: typeof RunGenerateModule.runGenerate;
      let defaultOutDir: string;
      try {
        // Loaded lazily: codegen needs the dev-time toolchain (Modelina), validate does not.
        ({ runGenerate, DEFAULT_OUT_DIR: defaultOutDir } = await import('../../codegen/run-generate.js'));
      } catch (error) {
        process.stderr.write(
          `continuum-kit generate: codegen is unavailable here (${error instanceof Error ? error.message : String(error)}); run it from a clone after npm ci\n`,
        );
        process.exitCode = EXIT.usage;
        return;
      }
      process.exitCode = await runGenerate({
        specPath: options.spec,
        outDir: options.out ?? defaultOutDir,
        check: options.check,
      });
    });
}
