import { existsSync } from 'node:fs';
import path from 'node:path';
import { CHILD_ERROR_CODES, ChildProcessError } from './child-error.js';

/** The program and arguments of a command, run without a shell. */
export interface Argv {
  file: string;
  args: string[];
}

// This file is harness/child/kit-command.{ts,js}; the kit's root is two levels up, built the same way.
const EXTENSION = path.extname(import.meta.filename);
const KIT_ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * `continuum-kit ARGS` as this very copy of the kit: `node dist/cli/main.js` from dist/ and the
 * installed package (no dev dependency), `node --import tsx cli/main.ts` from a clone run as
 * TypeScript. Independent of `process.argv` and of the current directory.
 *
 * @throws ChildProcessError (CHILD_ENTRY_MISSING) when the entry or, from source, tsx is missing.
 */
export function kitCommand(args: readonly string[]): Argv {
  return kitModuleCommand('cli/main', args);
}

/**
 * `node MODULE ARGS` for a module of this copy of the kit, named from the kit's root without
 * extension (`conformance/fixtures/broken-projector`), run the way {@link kitCommand} runs the CLI.
 */
export function kitModuleCommand(module: string, args: readonly string[]): Argv {
  const entry = path.join(KIT_ROOT, `${module}${EXTENSION}`);
  if (!existsSync(entry))
    throw new ChildProcessError(CHILD_ERROR_CODES.entryMissing, `the kit's module ${entry} does not exist`);
  const loader: string[] = [];
  if (EXTENSION === '.ts') {
    let tsx: string;
    try {
      tsx = import.meta.resolve('tsx');
    } catch (error) {
      throw new ChildProcessError(
        CHILD_ERROR_CODES.entryMissing,
        `running the kit from TypeScript sources needs tsx (a dev dependency): ${(error as Error).message}`,
        { cause: error },
      );
    }
    // The contract package from its source too, wherever the child's working directory is (tsx
    // reads tsconfig.json's paths only from there).
    loader.push('--import', tsx, '--conditions', 'continuum-source');
  }
  return { file: process.execPath, args: [...loader, entry, ...args] };
}

/** POSIX shell quoting of one word. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

/** {@link kitCommand} as one shell command line (for `--projector-cmd`-shaped options and schedule files). */
export function kitCommandLine(args: readonly string[]): string {
  return commandLine(kitCommand(args));
}

/** An {@link Argv} as one shell command line. */
export function commandLine(argv: Argv): string {
  return [argv.file, ...argv.args].map(shellQuote).join(' ');
}
