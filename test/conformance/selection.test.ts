import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../../harness/services/index.js';
import { startKitEnv } from './kit-env.js';
import { runKit } from './run-kit.js';

describe('a selection that matches nothing is a usage error, never a green gate', () => {
  let env: Services;
  beforeAll(async () => {
    env = await startKitEnv();
  });
  afterAll(async () => {
    await env?.stop();
  });

  it('--property with a typo exits 2 naming the closest property', { timeout: 120_000 }, async () => {
    const run = await runKit(env, ['--target', 'projector', '--property', 'duplicatse']);
    expect(run.code, run.stdout).toBe(2);
    expect(run.stderr).toContain("did you mean 'duplicates'");
    expect(run.stdout).not.toContain('CONFORMANT');
  });

  it('--clauses matching no clause exits 2 naming the closest clause', { timeout: 120_000 }, async () => {
    const run = await runKit(env, ['--target', 'projector', '--clauses', 'CT-4\\.dedupe']);
    expect(run.code, run.stdout).toBe(2);
    expect(run.stderr).toContain('closest: CT-4.dedup');
  });
});
