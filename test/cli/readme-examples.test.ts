import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { runCli } from '../run-cli.js';

const cli = (args: string[]) => runCli(args, { timeoutMs: 60_000 });

describe('the README examples and the flag errors a new user meets', () => {
  it('validates the shipped sample streams as the README says', async () => {
    const valid = await cli(['validate', 'examples/events.ndjson']);
    expect(valid).toMatchObject({ code: 0, stdout: '3 valid, 0 invalid\n' });
    const invalid = await cli(['validate', 'examples/invalid-events.ndjson']);
    expect(invalid.code).toBe(1);
    expect(invalid.stdout).toContain('line 1: CT-3.envelope.schema_version');
    expect(invalid.stdout).toContain('line 2: CT-3.payload.metadata');
  }, 120_000);

  it('prints its version', async () => {
    const manifest = JSON.parse(await readFile('package.json', 'utf8')) as { version: string };
    expect(await cli(['--version'])).toMatchObject({ code: 0, stdout: `${manifest.version}\n` });
  }, 60_000);

  it('phrases a bad service URL or timestamp as a flag error, at once, with exit 2', async () => {
    const pg = await cli(['provision', '--pg', 'not-a-url']);
    expect(pg.code).toBe(2);
    expect(pg.stderr).toContain("option '--pg <url>' argument 'not-a-url' is invalid");
    const nats = await cli(['ref', 'backfill', '--nats', 'http://bus:4222', '--dry-run']);
    expect(nats.code).toBe(2);
    expect(nats.stderr).toContain("scheme 'http:' is not one of nats:");
    const ts = await cli(['ref', 'backfill', '--from-ts', 'yesterday', '--to-ts', '2026-11-24T10:00:00Z']);
    expect(ts.code).toBe(2);
    expect(ts.stderr).toContain("option '--from-ts <ts>' argument 'yesterday' is invalid");
  }, 120_000);
});
