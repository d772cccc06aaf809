import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findBinary, findPostgresBinDir } from './find-binary.js';

async function executable(file: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, '#!/bin/sh\n');
  await chmod(file, 0o755);
}

describe('binary lookup', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'ck-find-test-'));
    await executable(path.join(root, 'pg/9.6/bin/initdb'));
    await executable(path.join(root, 'pg/9.6/bin/postgres'));
    await executable(path.join(root, 'pg/16/bin/initdb'));
    await executable(path.join(root, 'pg/16/bin/postgres'));
    await executable(path.join(root, 'pg/17/bin/initdb')); // no postgres beside it: skipped
    await executable(path.join(root, 'path-a/nats-server'));
    await writeFile(path.join(root, 'path-b-not-exec'), '');
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('picks the highest version that has both initdb and postgres', () => {
    expect(findPostgresBinDir([path.join(root, 'pg')], {})).toBe(path.join(root, 'pg/16/bin'));
  });

  it('falls back to PATH, and finds nothing with no roots and an empty PATH', () => {
    const env = { PATH: path.join(root, 'pg/9.6/bin') };
    expect(findPostgresBinDir([], env)).toBe(path.join(root, 'pg/9.6/bin'));
    expect(findPostgresBinDir([], { PATH: '' })).toBeUndefined();
  });

  it('finds only executables on PATH', () => {
    const env = { PATH: [path.join(root, 'missing'), path.join(root, 'path-a')].join(path.delimiter) };
    expect(findBinary('nats-server', env)).toBe(path.join(root, 'path-a/nats-server'));
    expect(findBinary('path-b-not-exec', { PATH: root })).toBeUndefined();
  });
});
