import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastReleaseTag } from '../../spec-diff/last-release-tag.js';
import { gitSource } from '../../spec-diff/spec-source.js';
import { type SpecFiles, fileTexts, realSpecFiles } from './spec-files.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const tsx = path.join(root, 'node_modules/.bin/tsx');
const main = path.join(root, 'cli/main.ts');

let repo: string;

function git(...args: string[]): string {
  return execFileSync('git', args, { cwd: repo, encoding: 'utf8' });
}

function write(files: SpecFiles, dir = repo): void {
  for (const [name, text] of fileTexts(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
}

function commit(files: SpecFiles, message: string): void {
  write(files);
  git('add', '-A');
  git('commit', '-qm', message);
}

function diff(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  // Run from the temp repository, where tsx finds no tsconfig paths: the export condition loads
  // the contract package from source, not from a dist/ the pack test may be rebuilding meanwhile.
  const nodeOptions = [process.env.NODE_OPTIONS, '--conditions=continuum-source'].filter(Boolean).join(' ');
  const out = spawnSync(tsx, [main, 'diff', ...args], {
    cwd: repo,
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: nodeOptions },
  });
  return { status: out.status, stdout: out.stdout, stderr: out.stderr };
}

/** A temp git repository: v1.0.0 is the real spec; HEAD tightens a bound in a schema file only. */
beforeAll(() => {
  repo = mkdtempSync(path.join(tmpdir(), 'ck-spec-diff-'));
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'test@example.invalid');
  git('config', 'user.name', 'spec diff test');
  commit(realSpecFiles(), 'v1.0.0');
  git('tag', 'v1.0.0');
  const next = realSpecFiles();
  next.schemas['episode-payload.schema.json'].properties.summary.maxLength = 200;
  commit(next, 'tighten summary');
});

afterAll(() => rmSync(repo, { recursive: true, force: true }));

describe('continuum-kit diff with git revisions', () => {
  it('reads $ref targets at the same revision as the spec', () => {
    const out = diff('v1.0.0:asyncapi.yaml', 'HEAD:asyncapi.yaml');
    expect(out.stdout).toContain('wire.bound-tightened');
    expect(out.stdout).toContain('schemas/episode-payload.schema.json#/properties/summary/maxLength');
    expect(out.status).toBe(1);
  });

  it('compares a revision with the working tree', () => {
    const out = diff('HEAD~1:asyncapi.yaml', 'asyncapi.yaml', '--format', 'json');
    const report = JSON.parse(out.stdout) as {
      ok: boolean;
      version: { required: string };
      findings: { category: string; rule: string }[];
    };
    expect(report).toMatchObject({ ok: false, version: { required: 'major' } });
    // The payload and the cache value schema both reference summary.
    expect(report.findings.map((f) => `${f.category} ${f.rule}`).sort()).toEqual([
      'keys wire.bound-tightened',
      'wire wire.bound-tightened',
    ]);
    expect(out.status).toBe(1);
  });

  it('exits 0 for identical revisions', () => {
    const out = diff('v1.0.0:asyncapi.yaml', 'HEAD~1:asyncapi.yaml');
    expect(out.stdout).toContain('no changes');
    expect(out.status).toBe(0);
  });

  it('refuses a revision that git would read as an option', async () => {
    await expect(gitSource('--output=/tmp/x', 'asyncapi.yaml', repo)).rejects.toMatchObject({
      code: 'BAD_REVISION',
    });
  });

  it('finds the last release tag', async () => {
    expect(await lastReleaseTag(repo)).toBe('v1.0.0');
    expect(await lastReleaseTag(tmpdir())).toBeUndefined();
  });
});

describe('continuum-kit diff exit codes', () => {
  const dir = (name: string): string => path.join(repo, 'work', name);
  beforeAll(() => {
    write(realSpecFiles(), dir('base'));
    const major = realSpecFiles();
    major.spec.info.version = `${Number(String(major.spec.info.version).split('.')[0]) + 1}.0.0`;
    major.schemas['episode-payload.schema.json'].properties.summary.maxLength = 200;
    write(major, dir('major'));
    const docs = realSpecFiles();
    docs.spec.channels.episodeEvents.description = 'Episode events.';
    write(docs, dir('docs'));
    const minor = realSpecFiles();
    minor.spec['x-slo'].publish_p99_ms.max = 25;
    write(minor, dir('minor'));
    writeFileSync(path.join(repo, 'broken.yaml'), 'asyncapi: [unclosed\n');
    const misspelled = realSpecFiles();
    misspelled.spec.inf = misspelled.spec.info;
    delete misspelled.spec.info;
    write(misspelled, dir('misspelled'));
    const moved = realSpecFiles();
    moved.spec.channels.episodeEvents.address = 'continuum.episodes.v1.{tenant_id}.{agent_id}';
    write(moved, dir('moved'));
    const numeric = realSpecFiles();
    numeric.spec.channels.episodeEvents.address = 12345;
    write(numeric, dir('numeric'));
  });

  it("2 with the parser's diagnostics when a side is not valid AsyncAPI", () => {
    const misspelled = diff('work/base/asyncapi.yaml', 'work/misspelled/asyncapi.yaml');
    expect(misspelled.stderr).toContain('INVALID_SPEC');
    expect(misspelled.stderr).toContain('"info"');
    expect(misspelled.stdout).toBe('');
    expect(misspelled.status).toBe(2);
    const numeric = diff('work/numeric/asyncapi.yaml', 'work/base/asyncapi.yaml');
    expect(numeric.stderr).toContain('channels/episodeEvents/address');
    expect(numeric.stdout).toBe('');
    expect(numeric.status).toBe(2);
  });

  it('1 and names the gap when a channel address leaves its stream subjects and consumer filter', () => {
    const out = diff('work/base/asyncapi.yaml', 'work/moved/asyncapi.yaml');
    expect(out.stdout).toContain('topology.address-not-captured');
    expect(out.stdout).toContain('topology.address-not-consumed');
    expect(out.stdout).toContain('continuum.episodes.v1.*.*');
    expect(out.status).toBe(1);
  });

  it('0 for a breaking change with a major bump, 1 with --fail-on-breaking', () => {
    expect(diff('work/base/asyncapi.yaml', 'work/major/asyncapi.yaml').status).toBe(0);
    expect(diff('work/base/asyncapi.yaml', 'work/major/asyncapi.yaml', '--fail-on-breaking').status).toBe(1);
  });

  it('0 for a doc-only change without a bump', () => {
    const out = diff('work/base/asyncapi.yaml', 'work/docs/asyncapi.yaml', '--format', 'markdown');
    expect(out.stdout).toMatch(/^### Contract diff: Compatible/);
    expect(out.stdout).toContain('doc-only (1)');
    expect(out.status).toBe(0);
  });

  it('1 for a non-breaking change without a bump', () => {
    const out = diff('work/base/asyncapi.yaml', 'work/minor/asyncapi.yaml');
    expect(out.stdout).toContain('slo.loosened');
    expect(out.stderr).toContain('need a version bump');
    expect(out.status).toBe(1);
  });

  it('2 for a bad revision, a missing file or an unparsable spec', () => {
    const bad = diff('no-such-rev:asyncapi.yaml', 'asyncapi.yaml');
    expect(bad.stderr).toContain('BAD_REVISION');
    expect(bad.status).toBe(2);
    const missing = diff('work/none.yaml', 'asyncapi.yaml');
    expect(missing.stderr).toContain('UNREADABLE');
    expect(missing.status).toBe(2);
    const broken = diff('broken.yaml', 'asyncapi.yaml');
    expect(broken.stderr).toContain('UNPARSABLE');
    expect(broken.status).toBe(2);
    expect(diff('asyncapi.yaml').status).toBe(2);
  });

  it('--help shows examples and exits 0', () => {
    const out = diff('--help');
    expect(out.stdout).toContain('Examples:');
    expect(out.stdout).toContain('origin/main:asyncapi.yaml');
    expect(out.status).toBe(0);
  });
});
