import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generate, renderAll } from './generate.js';
import { DEFAULT_OUT_DIR, runGenerate } from './run-generate.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const SPEC = path.join(ROOT, 'asyncapi.yaml');

async function specCopy(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'ck-codegen-'));
  await cp(SPEC, path.join(dir, 'asyncapi.yaml'));
  await cp(path.join(ROOT, 'schemas'), path.join(dir, 'schemas'), { recursive: true });
  return dir;
}

describe('codegen', () => {
  it('is deterministic and every file carries the header with the spec hash', async () => {
    const a = await renderAll(SPEC);
    const b = await renderAll(SPEC);
    expect([...a.files.entries()]).toEqual([...b.files.entries()]);
    expect([...a.files.keys()].sort()).toEqual([
      'alerts.yml',
      'contract.ts',
      'migration.sql',
      'types.ts',
      'validators.ts',
    ]);
    for (const content of a.files.values()) {
      expect(content.split('\n')[0]).toMatch(new RegExp(`GENERATED .*spec sha256 ${a.hash}`));
      expect(content.split('\n')[1]).toContain('DO NOT EDIT');
    }
  });

  it('check mode: fresh -> 0, a stale or missing file -> 1 naming it, nothing written', async () => {
    const dir = await specCopy();
    const out = path.join(dir, 'generated');
    const lines: string[] = [];
    const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) };
    expect(
      await runGenerate({ specPath: path.join(dir, 'asyncapi.yaml'), outDir: out, check: true }, io),
    ).toBe(1);
    expect(lines.filter((l) => l.startsWith('missing:'))).toHaveLength(5);
    await generate({ specPath: path.join(dir, 'asyncapi.yaml'), outDir: out, check: false });
    expect(
      await runGenerate({ specPath: path.join(dir, 'asyncapi.yaml'), outDir: out, check: true }, io),
    ).toBe(0);
    // Changing the spec makes every file stale (the hash is in every header).
    const yaml = await readFile(path.join(dir, 'asyncapi.yaml'), 'utf8');
    await writeFile(
      path.join(dir, 'asyncapi.yaml'),
      yaml.replace('max_message_bytes: 65536', 'max_message_bytes: 65535'),
    );
    lines.length = 0;
    expect(
      await runGenerate({ specPath: path.join(dir, 'asyncapi.yaml'), outDir: out, check: true }, io),
    ).toBe(1);
    expect(lines).toContain(`stale: ${out}/contract.ts`);
  });

  it('a spec with error diagnostics exits 2 and lists them', async () => {
    const dir = await specCopy();
    await writeFile(path.join(dir, 'asyncapi.yaml'), 'asyncapi: 3.1.0\ninfo:\n  title: x\n');
    const lines: string[] = [];
    const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) };
    expect(
      await runGenerate(
        { specPath: path.join(dir, 'asyncapi.yaml'), outDir: path.join(dir, 'g'), check: false },
        io,
      ),
    ).toBe(2);
    expect(lines.some((l) => /error .*version/.test(l))).toBe(true);
  });

  it('an x-clauses entry without side, or with a side or check outside its set, exits 2 naming it', async () => {
    const dir = await specCopy();
    const yaml = await readFile(path.join(dir, 'asyncapi.yaml'), 'utf8');
    const broken = yaml
      .replace(/(CT-1\.scope: \{.*), side: deployment \}/, '$1 }')
      .replace(/(CT-4\.guard: \{.*)side: projector \}/, '$1side: consumer }')
      .replace(/(CT-4\.delete: \{.*)check: conformance/, '$1check: fuzzing');
    expect(broken).not.toBe(yaml);
    await writeFile(path.join(dir, 'asyncapi.yaml'), broken);
    const lines: string[] = [];
    const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) };
    expect(
      await runGenerate(
        { specPath: path.join(dir, 'asyncapi.yaml'), outDir: path.join(dir, 'g'), check: false },
        io,
      ),
    ).toBe(2);
    const errors = lines.filter((l) => l.startsWith('  error '));
    expect(errors.find((l) => l.includes('x-clauses/CT-1.scope:'))).toMatch(/required .*side/);
    expect(errors.find((l) => l.includes('x-clauses/CT-4.guard/side'))).toMatch(/allowed values/);
    expect(errors.find((l) => l.includes('x-clauses/CT-4.delete/check'))).toMatch(/allowed values/);
    expect(errors).toHaveLength(3);
  });

  it('CLAUSES carries every clause with its check and side', async () => {
    const { files } = await renderAll(SPEC);
    const contract = files.get('contract.ts') ?? '';
    expect(contract).toContain('export const CLAUSES: Readonly<Record<ClauseId, Readonly<Clause>>>');
    expect(contract).toContain(
      'export const CLAUSE_SIDES = ["producer","projector","both","deployment"] as const;',
    );
  });

  it('the committed generated/ is fresh', async () => {
    const outcome = await generate({ specPath: SPEC, outDir: path.join(ROOT, DEFAULT_OUT_DIR), check: true });
    expect([...outcome.stale, ...outcome.missing]).toEqual([]);
  });

  it('codegen never imports generated/', async () => {
    for (const file of [
      'generate.ts',
      'render-validators.ts',
      'render-types.ts',
      'render-contract.ts',
      'clause-map.ts',
    ]) {
      expect(await readFile(path.join(import.meta.dirname, file), 'utf8')).not.toMatch(
        /from ['"][./]*generated\//,
      );
    }
  });
});
