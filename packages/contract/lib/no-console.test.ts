import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const packageRoot = path.resolve(import.meta.dirname, '..');

/** Source files under `dir` (recursively), without tests. */
async function sourcesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(path.join(packageRoot, dir), { recursive: true });
  return entries
    .map((entry) => path.join(dir, entry).split(path.sep).join('/'))
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'));
}

async function filesMatching(files: readonly string[], pattern: RegExp): Promise<string[]> {
  const offenders: string[] = [];
  for (const file of files)
    if (pattern.test(await readFile(path.join(packageRoot, file), 'utf8'))) offenders.push(file);
  return offenders;
}

// Library code never writes to the console (nor to stdout/stderr directly): callers own the output.
describe('library output', () => {
  it('no lib/ or generated/ source writes to the console', async () => {
    const files = [...(await sourcesUnder('lib')), ...(await sourcesUnder('generated'))];
    expect(files.length).toBeGreaterThan(0);
    expect(await filesMatching(files, /\bconsole\.|process\.(stdout|stderr)/)).toEqual([]);
  });
});
