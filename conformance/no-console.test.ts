import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const repoRoot = path.resolve(import.meta.dirname, '..');

/** Source files under `dir` (recursively), without tests and without the folders in `skip`. */
async function sourcesUnder(dir: string, skip: readonly string[] = []): Promise<string[]> {
  const entries = await readdir(path.join(repoRoot, dir), { recursive: true });
  return entries
    .map((entry) => path.join(dir, entry).split(path.sep).join('/'))
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
    .filter((file) => !skip.some((folder) => file.startsWith(`${dir}/${folder}/`)));
}

async function filesMatching(files: readonly string[], pattern: RegExp): Promise<string[]> {
  const offenders: string[] = [];
  for (const file of files)
    if (pattern.test(await readFile(path.join(repoRoot, file), 'utf8'))) offenders.push(file);
  return offenders;
}

describe('conformance output', () => {
  // The kit returns reports and throws EnvironmentError; printing and exit codes belong to cli/.
  // fixtures/ holds standalone programs (broken projectors) that own their process.
  it('no conformance/ source writes to the console or sets an exit code', async () => {
    const files = await sourcesUnder('conformance', ['fixtures']);
    expect(files).toContain('conformance/runner/run-conformance.ts');
    expect(
      await filesMatching(files, /\bconsole\.|process\.(stdout|stderr|exitCode|exit\b)|cli\/exit-codes/),
    ).toEqual([]);
  });
});
