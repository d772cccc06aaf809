import { readFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import {
  DEFAULT_VALIDATION_MODE,
  decodeEpisodeEvent,
  type ValidationMode,
  type Violation,
} from 'continuum-contract';
import { EXIT } from '../exit-codes.js';

/** One validated record of the input and where it started. */
interface RecordResult {
  line: number;
  ok: boolean;
  errors: Violation[];
}

async function readInput(file: string | undefined): Promise<Buffer> {
  if (file !== undefined && file !== '-') return readFile(file);
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** One JSON document (possibly pretty-printed) or NDJSON: one event per non-blank line. */
function records(input: Buffer): { line: number; body: Uint8Array }[] {
  const text = input.toString('utf8');
  if (text.trim() !== '') {
    try {
      JSON.parse(text);
      const leading = text.slice(0, text.length - text.trimStart().length);
      return [{ line: 1 + (leading.match(/\n/g)?.length ?? 0), body: input }];
    } catch {
      // Not a single document: read it as NDJSON.
    }
  }
  const out: { line: number; body: Uint8Array }[] = [];
  let start = 0;
  let line = 1;
  for (let i = 0; i <= input.length; i++) {
    if (i === input.length || input[i] === 0x0a) {
      let end = i;
      if (end > start && input[end - 1] === 0x0d) end--;
      const body = input.subarray(start, end);
      if (body.toString('utf8').trim() !== '') out.push({ line, body });
      start = i + 1;
      line++;
    }
  }
  return out;
}

function printText(results: RecordResult[]): void {
  for (const r of results) {
    for (const e of r.errors) {
      process.stdout.write(`line ${r.line}: ${e.clauseId} ${e.path || '(root)'} ${e.message}\n`);
    }
  }
  const invalid = results.filter((r) => !r.ok).length;
  process.stdout.write(`${results.length - invalid} valid, ${invalid} invalid\n`);
}

/** Registers `continuum-kit validate [FILE|-] [--mode producer|consumer] [--format text|json]`. */
export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('Validate episode events (one JSON document or NDJSON) against the contract')
    .argument('[file]', "a file, or '-' / nothing for stdin")
    .addOption(
      new Option('--mode <mode>', 'producer rejects unknown fields; consumer ignores them')
        .choices(['producer', 'consumer'])
        .default(DEFAULT_VALIDATION_MODE),
    )
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addHelpText(
      'after',
      `
Prints each violation as: line, clause ID, JSON path, message.
Exit codes: 0 all valid, 1 any invalid, 2 usage error or unreadable input.

Examples:
  $ continuum-kit validate event.json
  $ cat events.ndjson | continuum-kit validate - --mode consumer
  $ continuum-kit validate events.ndjson --format json`,
    )
    .action(async (file: string | undefined, options: { mode: ValidationMode; format: 'text' | 'json' }) => {
      let input: Buffer;
      try {
        input = await readInput(file);
      } catch (error) {
        process.stderr.write(
          `continuum-kit validate: cannot read ${file ?? 'stdin'}: ${error instanceof Error ? error.message : String(error)}\n`,
        );
        process.exitCode = EXIT.usage;
        return;
      }
      const inputs = records(input);
      if (inputs.length === 0) {
        process.stderr.write('continuum-kit validate: no JSON document in the input\n');
        process.exitCode = EXIT.usage;
        return;
      }
      const results = inputs.map(({ line, body }): RecordResult => {
        const result = decodeEpisodeEvent(body, options.mode);
        return { line, ok: result.ok, errors: result.ok ? [] : result.errors };
      });
      if (options.format === 'json') {
        const invalid = results.filter((r) => !r.ok).length;
        process.stdout.write(
          `${JSON.stringify({ mode: options.mode, valid: results.length - invalid, invalid, results }, null, 2)}\n`,
        );
      } else {
        printText(results);
      }
      process.exitCode = results.every((r) => r.ok) ? EXIT.ok : EXIT.failure;
    });
}
