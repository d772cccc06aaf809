import path from 'node:path';
import { Parser } from '@asyncapi/parser';
import { SpecDiffError } from './spec-diff-error.js';
import type { SpecSource } from './spec-source.js';

/** One error diagnostic of the AsyncAPI parser. */
export interface SpecDiagnostic {
  code: string;
  message: string;
  /** JSON path of the offending node, `/`-joined (empty for the document root). */
  path: string;
}

/** Where the parser believes the entry document lives; `$ref`s under it are read through the source. */
const VIRTUAL_ROOT = '/continuum-spec';

/**
 * Parses and validates one side with @asyncapi/parser (AsyncAPI schema and its built-in rules),
 * reading every `$ref` target from the same source (working tree or git revision).
 * Throws {@link SpecDiffError} `INVALID_SPEC` listing the error diagnostics.
 */
export async function validateSpec(source: SpecSource): Promise<void> {
  const parser = new Parser({
    __unstable: {
      resolver: {
        resolvers: [
          {
            schema: 'file',
            read: (uri: { path(): string }) => {
              const relative = path.posix.relative(VIRTUAL_ROOT, uri.path());
              return source.read(relative);
            },
          },
        ],
      },
    },
  });
  const text = await source.read(source.entry);
  let diagnostics;
  try {
    ({ diagnostics } = await parser.parse(text, { source: path.posix.join(VIRTUAL_ROOT, source.entry) }));
  } catch (cause) {
    if (cause instanceof SpecDiffError) throw cause;
    throw new SpecDiffError(
      'INVALID_SPEC',
      `${source.label}: @asyncapi/parser failed: ${(cause as Error).message}`,
      { cause },
    );
  }
  const errors: SpecDiagnostic[] = diagnostics
    .filter((d) => d.severity === 0)
    .map((d) => ({ code: String(d.code), message: d.message, path: d.path.join('/') }));
  if (errors.length === 0) return;
  const listing = errors.map((e) => `  ${e.path === '' ? '(root)' : e.path}: ${e.message} [${e.code}]`);
  throw new SpecDiffError(
    'INVALID_SPEC',
    `${source.label} is not a valid AsyncAPI document (${errors.length} error(s)):\n${listing.join('\n')}`,
    { diagnostics: errors },
  );
}
