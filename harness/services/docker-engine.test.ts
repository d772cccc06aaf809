import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerCandidates, findDockerEngine } from './docker-engine.js';

describe('findDockerEngine', () => {
  let dir: string;
  let server: http.Server;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'ck-docker-test-'));
    // A socket that answers the Engine API's /_ping like dockerd does.
    server = http.createServer((request, response) => {
      response.writeHead(request.url === '/_ping' ? 200 : 404).end('OK');
    });
    await new Promise<void>((resolve) => server.listen(path.join(dir, 'docker.sock'), resolve));
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });

  it('finds an engine that answers /_ping at DOCKER_HOST', async () => {
    const host = `unix://${path.join(dir, 'docker.sock')}`;
    expect(await findDockerEngine({ DOCKER_HOST: host })).toBe(host);
  });

  it('finds none when the socket does not exist', async () => {
    expect(
      await findDockerEngine({ DOCKER_HOST: `unix://${path.join(dir, 'missing.sock')}` }),
    ).toBeUndefined();
  });

  it('tries only DOCKER_HOST when set, else the usual sockets', () => {
    expect(dockerCandidates({ DOCKER_HOST: 'tcp://h:2375' })).toEqual(['tcp://h:2375']);
    expect(dockerCandidates({ HOME: '/home/u', XDG_RUNTIME_DIR: '/run/user/1' })).toEqual([
      'unix:///var/run/docker.sock',
      'unix:///home/u/.docker/run/docker.sock',
      'unix:///run/user/1/docker.sock',
    ]);
  });
});
