import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
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

let work: string | undefined;
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('npm package', () => {
  it('installs from the packed tarball into an empty project, type-checks and runs', async () => {
    await run(NPM, ['run', 'build'], { cwd: ROOT });
    work = await mkdtemp(path.join(tmpdir(), 'ck-pack-'));
    // Built just above; --ignore-scripts keeps pack from building a second time.
    await run(NPM, ['pack', '--ignore-scripts', '--pack-destination', work], { cwd: ROOT });
    const tarball = (await readdir(work)).find((f) => f.endsWith('.tgz'));
    expect(tarball).toBeDefined();
    const project = path.join(work, 'consumer');
    await run('mkdir', ['-p', project]);
    await writeFile(
      path.join(project, 'package.json'),
      JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
    );
    await run(
      NPM,
      [
        'install',
        path.join(work, tarball as string),
        'typescript',
        '@types/node',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
      ],
      { cwd: project, maxBuffer: 16 * 1024 * 1024 },
    );
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
    });
    // The spec files resolve by path, and the installed CLI knows its version.
    const resolved = await run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `for (const p of ['asyncapi.yaml', 'schemas/episode-event.schema.json', 'migration.sql', 'alerts.yml', 'driver/openapi.yaml'])
          console.log(import.meta.resolve('continuum-kit/' + p).replace(/^.*node_modules/, ''));`,
      ],
      { cwd: project },
    );
    expect(resolved.stdout.trim().split('\n')).toEqual([
      '/continuum-kit/asyncapi.yaml',
      '/continuum-kit/schemas/episode-event.schema.json',
      '/continuum-kit/generated/migration.sql',
      '/continuum-kit/generated/alerts.yml',
      '/continuum-kit/driver/openapi.yaml',
    ]);
    const version = await run(path.join(project, 'node_modules/.bin/continuum-kit'), ['--version'], {
      cwd: project,
    });
    expect(version.stdout.trim()).toBe(KIT_VERSION);
  }, 600_000);

  it('the light contract package installs with no dependency and serves types, validators and spec files', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'ck-contract-'));
    try {
      await run(NPM, ['pack', '--pack-destination', dir], { cwd: path.join(ROOT, 'packages/contract') });
      const tarball = (await readdir(dir)).find((f) => f.endsWith('.tgz'));
      expect(tarball).toBeDefined();
      const project = path.join(dir, 'consumer');
      await run('mkdir', ['-p', project]);
      await writeFile(
        path.join(project, 'package.json'),
        JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
      );
      await run(
        NPM,
        ['install', path.join(dir, tarball as string), '--prefer-offline', '--no-audit', '--no-fund'],
        {
          cwd: project,
        },
      );
      // Nothing but the package itself is installed.
      expect(await readdir(path.join(project, 'node_modules'))).toEqual([
        '.package-lock.json',
        'continuum-contract',
      ]);
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
           const bad = decodeEpisodeEvent('{"schema_version":"1"}');
           console.log(JSON.stringify({ subject: episodeSubject('acme', 'a1'), asyncapi: spec.startsWith('asyncapi:'), schema: typeof schema.properties, rejects: !bad.ok }));`,
        ],
        { cwd: project },
      );
      expect(JSON.parse(stdout)).toEqual({
        subject: 'continuum.episode.v1.acme.a1',
        asyncapi: true,
        schema: 'object',
        rejects: true,
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
