import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
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
  }, 600_000);
});
