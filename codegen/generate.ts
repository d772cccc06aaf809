import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { checkClauseCatalog } from './clause-catalog.js';
import { renderAlerts } from './render-alerts.js';
import { renderContract } from './render-contract.js';
import { renderMigration } from './render-migration.js';
import { renderTypes } from './render-types.js';
import { renderValidators } from './render-validators.js';
import { loadSpecSource } from './spec-source.js';

/** Options of one codegen run. */
export interface GenerateOptions {
  /** Path of asyncapi.yaml; schemas/ is read from its folder. */
  specPath: string;
  /** Output folder (generated/). */
  outDir: string;
  /** Compare instead of writing. */
  check: boolean;
}

/** What a run did: the spec hash, and (check mode) which files are stale or missing. */
export interface GenerateOutcome {
  hash: string;
  files: string[];
  stale: string[];
  missing: string[];
}

/** Renders every generated file in memory; deterministic for a given spec. */
export async function renderAll(specPath: string): Promise<{ hash: string; files: Map<string, string> }> {
  const source = await loadSpecSource(specPath);
  checkClauseCatalog(source.spec);
  const migration = renderMigration(source);
  const files = new Map<string, string>([
    ['types.ts', await renderTypes(source)],
    ['validators.ts', renderValidators(source)],
    ['contract.ts', renderContract(source, migration)],
    ['migration.sql', migration],
    ['alerts.yml', renderAlerts(source)],
  ]);
  return { hash: source.hash, files };
}

/** Writes generated/ (or, with `check`, reports which files differ from what would be written). */
export async function generate(options: GenerateOptions): Promise<GenerateOutcome> {
  const { hash, files } = await renderAll(options.specPath);
  const outcome: GenerateOutcome = { hash, files: [...files.keys()], stale: [], missing: [] };
  if (!options.check) await mkdir(options.outDir, { recursive: true });
  for (const [name, content] of files) {
    const target = path.join(options.outDir, name);
    if (options.check) {
      const current = await readFile(target, 'utf8').catch(() => undefined);
      if (current === undefined) outcome.missing.push(name);
      else if (current !== content) outcome.stale.push(name);
    } else {
      const current = await readFile(target, 'utf8').catch(() => undefined);
      if (current !== content) await writeFile(target, content);
    }
  }
  return outcome;
}
