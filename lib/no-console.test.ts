import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// Library code never writes to the console (nor to stdout/stderr directly): callers own the output.
describe('library output', () => {
  it('no lib/ or generated/ source writes to the console', async () => {
    const offenders: string[] = [];
    for (const dir of ['lib', 'generated']) {
      const root = path.resolve(import.meta.dirname, '..', dir);
      for (const file of await readdir(root)) {
        if (!file.endsWith('.ts') || file.endsWith('.test.ts')) continue;
        const text = await readFile(path.join(root, file), 'utf8');
        if (/\bconsole\.|process\.(stdout|stderr)/.test(text)) offenders.push(`${dir}/${file}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
