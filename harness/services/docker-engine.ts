import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** Where a Docker engine is looked for: DOCKER_HOST alone when set, else the usual sockets. */
export function dockerCandidates(env: NodeJS.ProcessEnv): string[] {
  if (env.DOCKER_HOST !== undefined && env.DOCKER_HOST !== '') return [env.DOCKER_HOST];
  const sockets = ['/var/run/docker.sock', path.join(env.HOME ?? os.homedir(), '.docker/run/docker.sock')];
  if (env.XDG_RUNTIME_DIR !== undefined) sockets.push(path.join(env.XDG_RUNTIME_DIR, 'docker.sock'));
  return sockets.map((socket) => `unix://${socket}`);
}

function ping(candidate: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    if (candidate.startsWith('tcp://')) {
      // A TCP engine may want TLS; an open port is answer enough to try testcontainers.
      const { hostname, port } = new URL(candidate);
      const socket = net.connect({ host: hostname, port: Number(port || 2375), timeout: timeoutMs });
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
      socket.once('timeout', () => (socket.destroy(), resolve(false)));
      return;
    }
    const socketPath = candidate.replace(/^unix:\/\//, '');
    const request = http.get({ socketPath, path: '/_ping', timeout: timeoutMs }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.once('error', () => resolve(false));
    request.once('timeout', () => (request.destroy(), resolve(false)));
  });
}

/** The first candidate whose engine answers /_ping within `timeoutMs`, or undefined. */
export async function findDockerEngine(
  env: NodeJS.ProcessEnv,
  timeoutMs = 1500,
): Promise<string | undefined> {
  for (const candidate of dockerCandidates(env)) {
    if (await ping(candidate, timeoutMs)) return candidate;
  }
  return undefined;
}
