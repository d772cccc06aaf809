/**
 * Writes docs/CLAUSES.md from the clause proof map; `--check` exits 1 when the file is stale.
 *
 *   tsx codegen/clauses-doc.ts [--check]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderClausesDoc } from '../conformance/fixtures/clauses-doc.js';

const file = path.resolve(import.meta.dirname, '../docs/CLAUSES.md');
const text = renderClausesDoc();
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    // missing: stale
  }
  if (current !== text) {
    process.stderr.write('docs/CLAUSES.md is stale: run npm run docs:clauses\n');
    process.exitCode = 1;
  }
} else writeFileSync(file, text);
