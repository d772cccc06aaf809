import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerValidate } from './validate.js';

// In-process: only this command is registered, so the test does not depend on the others.
async function cli(
  args: string[],
  stdin?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  let dir = '';
  if (stdin !== undefined) {
    dir = await mkdtemp(path.join(tmpdir(), 'ck-validate-'));
    await writeFile(path.join(dir, 'input'), stdin);
    args = args.map((a) => (a === '-' ? path.join(dir, 'input') : a));
  }
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  process.exitCode = undefined;
  const program = new Command('continuum-kit').exitOverride();
  registerValidate(program);
  program.commands.forEach((c) => c.exitOverride());
  let code: number;
  try {
    await program.parseAsync(['node', 'continuum-kit', ...args]);
    code = Number(process.exitCode ?? 0);
  } catch (error) {
    code = (error as { exitCode?: number }).exitCode === 0 ? 0 : 2;
  } finally {
    vi.restoreAllMocks();
    process.exitCode = undefined;
  }
  return { code, stdout, stderr };
}

afterEach(() => vi.restoreAllMocks());

const EVENT = {
  event_id: '0193591f-6e1a-7cc3-8a41-2b7c9d0e1f22',
  event_type: 'episode.deleted',
  tenant_id: 'acme',
  agent_id: 'agent-7',
  episode_id: '01JD3ZTZ0000000000000000AB',
  source_ts: '2026-11-24T11:00:00Z',
  schema_version: 1,
  payload: { content_ref: 'continuum://acme/episodes/01JD3ZTZ0000000000000000AB', tags: [], metadata: {} },
};

describe('continuum-kit validate', () => {
  it('exits 0 for a valid pretty-printed document', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'ck-validate-'));
    const file = path.join(dir, 'event.json');
    await writeFile(file, JSON.stringify(EVENT, null, 2));
    const result = await cli(['validate', file]);
    expect(result).toMatchObject({ code: 0, stdout: '1 valid, 0 invalid\n' });
  });

  it('exits 1 and prints line, clause, path for each violation of an NDJSON stream', async () => {
    const lines = [
      JSON.stringify(EVENT),
      JSON.stringify({ ...EVENT, tenant_id: 'Acme:x' }),
      '',
      JSON.stringify({ ...EVENT, extra: true }),
      '{"truncated":',
    ];
    const result = await cli(['validate', '-'], lines.join('\n'));
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('line 2: CT-3.envelope.tenant_id /tenant_id');
    expect(result.stdout).toContain('line 4: CT-3.unknown-fields /extra');
    expect(result.stdout).toContain('line 5: CT-3.json (root)');
    expect(result.stdout).toContain('1 valid, 3 invalid');
    const consumer = await cli(['validate', '-', '--mode', 'consumer', '--format', 'json'], lines.join('\n'));
    const report = JSON.parse(consumer.stdout) as { valid: number; invalid: number };
    expect([consumer.code, report.valid, report.invalid]).toEqual([1, 2, 2]);
  });

  it('exits 2 for unreadable input, empty input and bad options', async () => {
    expect((await cli(['validate', '/nonexistent/event.json'])).code).toBe(2);
    expect((await cli(['validate', '-'], '\n\n')).code).toBe(2);
    expect((await cli(['validate', '-', '--mode', 'lenient'], JSON.stringify(EVENT))).code).toBe(2);
  });

  it('--help shows an example', async () => {
    const result = await cli(['validate', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('$ continuum-kit validate');
  });
});
