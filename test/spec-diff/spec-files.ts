import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { type SpecSource, memorySource } from '../../spec-diff/spec-source.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- mutations edit arbitrary spec JSON */

/** The real spec and its schemas, parsed, so a test can mutate them. */
export interface SpecFiles {
  spec: any;
  schemas: Record<string, any>;
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Fresh parsed copies of /asyncapi.yaml and /schemas/*.json from this repository. */
export function realSpecFiles(): SpecFiles {
  const schemas: Record<string, any> = {};
  for (const name of readdirSync(path.join(root, 'schemas')).filter((n) => n.endsWith('.json'))) {
    schemas[name] = JSON.parse(readFileSync(path.join(root, 'schemas', name), 'utf8'));
  }
  return { spec: parse(readFileSync(path.join(root, 'asyncapi.yaml'), 'utf8')), schemas };
}

/** Serializes the files back to text, as an in-memory spec source. */
export function toSource(files: SpecFiles, label: string): SpecSource {
  const texts = new Map<string, string>([['asyncapi.yaml', stringify(files.spec)]]);
  for (const [name, schema] of Object.entries(files.schemas))
    texts.set(`schemas/${name}`, JSON.stringify(schema, null, 2));
  return memorySource(texts, 'asyncapi.yaml', label);
}

/** Writes the files into a directory (for CLI and git tests). */
export function fileTexts(files: SpecFiles): Map<string, string> {
  const texts = new Map<string, string>([['asyncapi.yaml', stringify(files.spec)]]);
  for (const [name, schema] of Object.entries(files.schemas))
    texts.set(`schemas/${name}`, JSON.stringify(schema, null, 2) + '\n');
  return texts;
}
