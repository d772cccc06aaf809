import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const KIT_VERSION = (
  JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }
).version;
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

// A consumer's file: imports types and validators from the installed package, type-checked strictly.
const CONSUMER_TS = `import {
  CONTRACT,
  ContractUsageError,
  MIGRATION_SQL,
  brokerMsgId,
  decodeEpisodeEvent,
  episodeSubject,
  validateEpisodeEvent,
  type EpisodeEvent,
  type Violation,
} from 'continuum-kit';
import { ContractUsageError as ContractPackageError } from 'continuum-contract';

const event: EpisodeEvent = {
  event_id: '01JD3ZV8X3N4Q2W5E6R7T8Y9ZA',
  event_type: 'episode.created',
  tenant_id: 'acme',
  agent_id: 'agent-7',
  episode_id: '01JD3ZTZ0000000000000000AB',
  source_ts: '2026-11-24T10:15:30.123456Z',
  schema_version: 1,
  payload: { content_ref: 'continuum://acme/episodes/1', tags: ['billing'], metadata: { turns: 6 } },
};
const valid = validateEpisodeEvent(event, 'producer');
const invalid = decodeEpisodeEvent(JSON.stringify({ ...event, schema_version: '1' }));
const violations: Violation[] = invalid.ok ? [] : invalid.errors;
let usage = '';
try {
  episodeSubject('Acme', 'a1');
} catch (error) {
  if (error instanceof ContractUsageError) usage = error.code;
}
console.log(
  JSON.stringify({
    valid: valid.ok,
    clauses: violations.map((v) => v.clauseId + ' ' + v.path),
    subject: episodeSubject(event.tenant_id, event.agent_id),
    msgId: brokerMsgId(event.tenant_id, event.agent_id, event.event_id),
    maxBytes: CONTRACT.limits.max_message_bytes,
    migration: MIGRATION_SQL.includes('CREATE TABLE IF NOT EXISTS arqonbus_continuum_projection'),
    usage,
    sameLibrary: ContractUsageError === ContractPackageError,
  }),
);
`;

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'nodenext',
    moduleResolution: 'nodenext',
    strict: true,
    outDir: 'out',
    types: ['node'],
  },
  include: ['consumer.ts'],
};

/** What an install leaves in node_modules: how many packages and how many bytes on disk. */
async function footprint(project: string): Promise<{ packages: number; megabytes: number }> {
  const lock = JSON.parse(await readFile(path.join(project, 'node_modules/.package-lock.json'), 'utf8')) as {
    packages: Record<string, unknown>;
  };
  let bytes = 0;
  const root = path.join(project, 'node_modules');
  for (const entry of await readdir(root, { recursive: true })) {
    const info = await stat(path.join(root, entry));
    if (info.isFile()) bytes += info.size;
  }
  return { packages: Object.keys(lock.packages).length, megabytes: Math.round(bytes / 1e5) / 10 };
}

/** Packs the package in `dir` into `destination` and returns the tarball's path. */
async function pack(dir: string, destination: string, ignoreScripts: boolean): Promise<string> {
  const args = ['pack', '--pack-destination', destination, ...(ignoreScripts ? ['--ignore-scripts'] : [])];
  const { stdout } = await run(NPM, args, { cwd: dir });
  return path.join(destination, stdout.trim().split('\n').at(-1) as string);
}

async function emptyProject(dir: string): Promise<string> {
  const project = path.join(dir, 'consumer');
  await run('mkdir', ['-p', project]);
  await writeFile(
    path.join(project, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
  );
  return project;
}

const INSTALL_FLAGS = ['--prefer-offline', '--no-audit', '--no-fund'];

let work: string | undefined;
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('npm packages', () => {
  it('the kit installs from its tarball and the contract tarball it depends on, type-checks and runs', async () => {
    // Builds the contract package first, then the kit against it.
    await run(NPM, ['run', 'build'], { cwd: ROOT });
    work = await mkdtemp(path.join(tmpdir(), 'ck-pack-'));
    const contractTarball = await pack(path.join(ROOT, 'packages/contract'), work, false);
    // Built just above; --ignore-scripts keeps pack from building a second time.
    const kitTarball = await pack(ROOT, work, true);
    const { stdout: listing } = await run('tar', ['-tzf', kitTarball], { maxBuffer: 16 * 1024 * 1024 });
    const packed = listing.split('\n');
    expect(packed).toContain('package/dist/cli/main.js');
    // The library comes from continuum-contract, not from a copy inside the kit.
    expect(packed.filter((f) => /^package\/(dist\/)?(lib|generated)\//.test(f))).toEqual([]);

    const project = await emptyProject(work);
    // The contract is not on the registry: both tarballs go into one install.
    await run(NPM, ['install', contractTarball, kitTarball, ...INSTALL_FLAGS], {
      cwd: project,
      maxBuffer: 16 * 1024 * 1024,
    });
    const kitFootprint = await footprint(project);
    process.stdout.write(
      `[footprint] continuum-kit (with continuum-contract): ${kitFootprint.packages} packages, ${kitFootprint.megabytes} MB\n`,
    );
    // One contract package, shared by the kit and the project.
    await expect(
      stat(path.join(project, 'node_modules/continuum-kit/node_modules/continuum-contract')),
    ).rejects.toThrow();
    const version = await run(path.join(project, 'node_modules/.bin/continuum-kit'), ['--version'], {
      cwd: project,
    });
    expect(version.stdout.trim()).toBe(KIT_VERSION);

    await run(NPM, ['install', 'typescript', '@types/node', ...INSTALL_FLAGS], {
      cwd: project,
      maxBuffer: 16 * 1024 * 1024,
    });
    await writeFile(path.join(project, 'consumer.ts'), CONSUMER_TS);
    await writeFile(path.join(project, 'tsconfig.json'), JSON.stringify(TSCONFIG));
    await run(process.execPath, [path.join(project, 'node_modules/typescript/bin/tsc'), '-p', project], {
      cwd: project,
    });
    const { stdout, stderr } = await run(process.execPath, [path.join(project, 'out/consumer.js')], {
      cwd: project,
    });
    expect(stderr).toBe('');
    expect(JSON.parse(stdout)).toEqual({
      valid: true,
      clauses: [
        'CT-3.envelope.schema_version /schema_version',
        'CT-3.envelope.schema_version /schema_version',
      ],
      subject: 'continuum.episode.v1.acme.agent-7',
      msgId: 'acme:agent-7:01JD3ZV8X3N4Q2W5E6R7T8Y9ZA',
      maxBytes: 65536,
      migration: true,
      usage: 'INVALID_ID',
      sameLibrary: true,
    });
    // The spec files resolve by path: the kit's for its CLI, the generated ones from the contract.
    const resolved = await run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `for (const p of ['continuum-kit/asyncapi.yaml', 'continuum-kit/schemas/episode-event.schema.json', 'continuum-kit/driver/openapi.yaml', 'continuum-contract/migration.sql', 'continuum-contract/alerts.yml'])
          console.log(import.meta.resolve(p).replace(/^.*node_modules/, ''));`,
      ],
      { cwd: project },
    );
    expect(resolved.stdout.trim().split('\n')).toEqual([
      '/continuum-kit/asyncapi.yaml',
      '/continuum-kit/schemas/episode-event.schema.json',
      '/continuum-kit/driver/openapi.yaml',
      '/continuum-contract/generated/migration.sql',
      '/continuum-contract/generated/alerts.yml',
    ]);
  }, 600_000);

  it('the light contract package installs with no dependency and serves types, validators and spec files', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'ck-contract-'));
    try {
      const tarball = await pack(path.join(ROOT, 'packages/contract'), dir, false);
      const project = await emptyProject(dir);
      await run(NPM, ['install', tarball, ...INSTALL_FLAGS], { cwd: project });
      // Nothing but the package itself is installed.
      expect(await readdir(path.join(project, 'node_modules'))).toEqual([
        '.package-lock.json',
        'continuum-contract',
      ]);
      const contractFootprint = await footprint(project);
      process.stdout.write(
        `[footprint] continuum-contract: ${contractFootprint.packages} packages, ${contractFootprint.megabytes} MB\n`,
      );
      expect(contractFootprint.packages).toBe(1);
      const { stdout } = await run(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `import { decodeEpisodeEvent, episodeSubject } from 'continuum-contract';
           import { readFileSync } from 'node:fs';
           import { fileURLToPath } from 'node:url';
           const spec = readFileSync(fileURLToPath(import.meta.resolve('continuum-contract/asyncapi.yaml')), 'utf8');
           const schema = JSON.parse(readFileSync(fileURLToPath(import.meta.resolve('continuum-contract/schemas/episode-event.schema.json')), 'utf8'));
           const migration = readFileSync(fileURLToPath(import.meta.resolve('continuum-contract/migration.sql')), 'utf8');
           const bad = decodeEpisodeEvent('{"schema_version":"1"}');
           console.log(JSON.stringify({ subject: episodeSubject('acme', 'a1'), asyncapi: spec.startsWith('asyncapi:'), schema: typeof schema.properties, migration: migration.includes('CREATE TABLE'), rejects: !bad.ok }));`,
        ],
        { cwd: project },
      );
      expect(JSON.parse(stdout)).toEqual({
        subject: 'continuum.episode.v1.acme.a1',
        asyncapi: true,
        schema: 'object',
        migration: true,
        rejects: true,
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
