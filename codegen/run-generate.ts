import { generate, type GenerateOptions } from './generate.js';
import { SpecParseError } from './spec-source.js';

/** Where the repository keeps the generated code: inside the contract package that ships it. */
export const DEFAULT_OUT_DIR = 'packages/contract/generated';

/** Where runGenerate reports; stdout for results, stderr for diagnostics. */
export interface GenerateIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

const processIo: GenerateIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/**
 * The edge of codegen shared by `npm run generate` and `continuum-kit generate`: runs it, prints
 * what happened and returns the exit code (0 fresh/written, 1 stale in check mode, 2 spec errors).
 */
export async function runGenerate(options: GenerateOptions, io: GenerateIo = processIo): Promise<number> {
  try {
    const outcome = await generate(options);
    if (!options.check) {
      io.out(`generated ${outcome.files.length} files in ${options.outDir} (spec sha256 ${outcome.hash})`);
      return 0;
    }
    for (const name of outcome.missing) io.err(`missing: ${options.outDir}/${name}`);
    for (const name of outcome.stale) io.err(`stale: ${options.outDir}/${name}`);
    if (outcome.missing.length + outcome.stale.length > 0) {
      io.err(`${options.outDir} is out of date: run \`npm run generate\``);
      return 1;
    }
    io.out(`${options.outDir} is up to date (spec sha256 ${outcome.hash})`);
    return 0;
  } catch (error) {
    if (error instanceof SpecParseError) {
      io.err(`${options.specPath}: ${error.message}`);
      for (const d of error.diagnostics)
        io.err(`  ${d.severity} ${d.code} at ${d.path || '/'}: ${d.message}`);
      return 2;
    }
    io.err(`generate failed: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
}
