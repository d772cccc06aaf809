import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { Parser, fromFile } from '@asyncapi/parser';
import { parse as parseYaml } from 'yaml';

/** A JSON Schema file from `schemas/`, keyed by its file name (the name `$ref`s use). */
export type SchemaFiles = Record<string, Record<string, unknown>>;

/** Everything codegen reads: the raw spec, the schema files and their combined hash. */
export interface SpecSource {
  specPath: string;
  /** The spec as plain data (x- extensions included), before $ref resolution. */
  spec: Record<string, unknown>;
  schemas: SchemaFiles;
  /** sha256 over asyncapi.yaml and schemas/*.json in sorted path order. */
  hash: string;
}

/** One diagnostic of the AsyncAPI parser, flattened for printing. */
export interface SpecDiagnostic {
  severity: 'error' | 'warning' | 'info' | 'hint';
  code: string;
  message: string;
  path: string;
}

/** Thrown when the spec does not parse cleanly; codegen exits 2 listing `diagnostics`. */
export class SpecParseError extends Error {
  override readonly name = 'SpecParseError';
  constructor(
    readonly diagnostics: SpecDiagnostic[],
    options?: { cause?: unknown },
  ) {
    super(`asyncapi spec has ${diagnostics.length} error diagnostic(s)`, options);
  }
}

const SEVERITY = ['error', 'warning', 'info', 'hint'] as const;

/**
 * Parses the spec with @asyncapi/parser (error diagnostics -> SpecParseError), then loads the
 * raw YAML and the schema files next to it and hashes them.
 */
export async function loadSpecSource(specPath: string): Promise<SpecSource> {
  const absolute = path.resolve(specPath);
  const parser = new Parser();
  const { diagnostics } = await fromFile(parser, absolute).parse();
  const errors = diagnostics
    .map((d) => ({
      severity: SEVERITY[d.severity] ?? 'error',
      code: String(d.code),
      message: d.message,
      path: d.path.join('/'),
    }))
    .filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new SpecParseError(errors);

  const specText = await readFile(absolute, 'utf8');
  const schemaDir = path.join(path.dirname(absolute), 'schemas');
  const names = (await readdir(schemaDir)).filter((n) => n.endsWith('.json')).sort();
  const hash = createHash('sha256');
  hash.update(`asyncapi.yaml\0${specText}\0`);
  const schemas: SchemaFiles = {};
  for (const name of names) {
    const text = await readFile(path.join(schemaDir, name), 'utf8');
    hash.update(`schemas/${name}\0${text}\0`);
    schemas[name] = JSON.parse(text) as Record<string, unknown>;
  }
  return {
    specPath: absolute,
    spec: parseYaml(specText) as Record<string, unknown>,
    schemas,
    hash: hash.digest('hex'),
  };
}
