import { chown, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../logger.js';
import { BinaryServer } from './binary-server.js';
import { freePort } from './free-port.js';
import { ManagedProcess } from './managed-process.js';
import { postgresProbe } from './probes.js';
import { SERVICE_ERROR_CODES, ServiceError } from './service-error.js';

/** PostgreSQL refuses to run as root: the OS user that runs initdb and postgres then. */
const POSTGRES_OS_USER = 'postgres';

async function lookupUser(name: string): Promise<{ uid: number; gid: number } | undefined> {
  const passwd = await readFile('/etc/passwd', 'utf8').catch(() => '');
  for (const line of passwd.split('\n')) {
    const [user, , uid, gid] = line.split(':');
    if (user === name && uid !== undefined && gid !== undefined)
      return { uid: Number(uid), gid: Number(gid) };
  }
  return undefined;
}

/**
 * A throwaway cluster: `initdb` (trust auth, user postgres) then `postgres` on a free loopback
 * port with its socket in the same temp dir. When we are root, both run as the `postgres` user.
 */
export async function postgresBinary(options: {
  binDir: string;
  dir: string;
  readyTimeoutMs: number;
  logger: Logger;
}): Promise<BinaryServer> {
  const pgDir = path.join(options.dir, 'pg');
  const dataDir = path.join(pgDir, 'data');
  await mkdir(pgDir, { recursive: true });
  let user: string | undefined;
  if (process.getuid?.() === 0) {
    const owner = await lookupUser(POSTGRES_OS_USER);
    if (owner === undefined) {
      throw new ServiceError(
        SERVICE_ERROR_CODES.startFailed,
        `PostgreSQL refuses to run as root and there is no '${POSTGRES_OS_USER}' OS user to run it as; create one (useradd ${POSTGRES_OS_USER}) or pass --pg / DATABASE_URL`,
        { service: 'pg' },
      );
    }
    await chown(pgDir, owner.uid, owner.gid);
    user = POSTGRES_OS_USER;
  }
  const initdb = new ManagedProcess({
    name: 'initdb',
    command: path.join(options.binDir, 'initdb'),
    args: ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync'],
    cwd: pgDir,
    ...(user === undefined ? {} : { user }),
    stopSignal: 'SIGTERM',
    exitSignal: 'SIGKILL',
    logger: options.logger,
  });
  await initdb.start();
  const timer = setTimeout(() => void initdb.stop({ signal: 'SIGKILL' }), options.readyTimeoutMs * 2);
  await initdb.waitForExit();
  clearTimeout(timer);
  if (initdb.exitDescription !== 'exit code 0') {
    throw new ServiceError(
      SERVICE_ERROR_CODES.startFailed,
      `initdb in ${dataDir} failed (${initdb.exitDescription ?? 'unknown'}). Output:\n${initdb.logTail}`,
      { service: 'pg' },
    );
  }
  const port = await freePort();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  return new BinaryServer({
    service: 'pg',
    url,
    port,
    spec: {
      name: 'postgres',
      command: path.join(options.binDir, 'postgres'),
      args: ['-D', dataDir, '-k', pgDir, '-h', '127.0.0.1', '-p', String(port)],
      cwd: pgDir,
      ...(user === undefined ? {} : { user }),
      // SIGINT is postgres' fast shutdown; SIGQUIT its immediate one (no waiting at exit).
      stopSignal: 'SIGINT',
      exitSignal: 'SIGQUIT',
      logger: options.logger,
    },
    probe: postgresProbe(url),
    readyTimeoutMs: options.readyTimeoutMs,
  });
}
