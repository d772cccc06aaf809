#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { registerValidate } from './commands/validate.js';
import { registerGenerate } from './commands/generate.js';
import { registerProvision } from './commands/provision.js';
import { registerRef } from './commands/ref.js';
import { registerConformance } from './commands/conformance.js';
import { registerDiff } from './commands/diff.js';
import { EXIT } from './exit-codes.js';
import { kitVersion } from '../harness/kit-version.js';

const program = new Command('continuum-kit')
  .description('Contract-first schema and conformance kit for the Arqon Continuum <-> ArqonBus contract')
  .version(kitVersion(), '-V, --version', 'print the kit version')
  .showHelpAfterError('(run with --help for usage and examples)')
  .exitOverride();

registerValidate(program);
registerGenerate(program);
registerProvision(program);
registerRef(program);
registerConformance(program);
registerDiff(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // --help and --version exit 0 through here; everything else commander rejects is usage.
    process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else {
    process.stderr.write(`continuum-kit: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = EXIT.usage;
  }
}
