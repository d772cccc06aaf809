import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { trackTempDir } from './managed-process.js';

const PREFIX = 'ck-services-';
const OWNER_FILE = 'owner.pid';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// A SIGKILLed owner cannot remove its dir (its servers die by parent-death signal); the next
// run removes dirs whose owner is gone.
async function sweepOrphans(root: string): Promise<void> {
  const entries = await readdir(root).catch(() => [] as string[]);
  await Promise.all(
    entries
      .filter((entry) => entry.startsWith(PREFIX))
      .map(async (entry) => {
        const dir = path.join(root, entry);
        const owner = Number(await readFile(path.join(dir, OWNER_FILE), 'utf8').catch(() => ''));
        if (Number.isInteger(owner) && owner > 0 && !isAlive(owner))
          await rm(dir, { recursive: true, force: true });
      }),
  );
}

/** One lazily created temp dir: `get()` creates it on first use; `remove()` removes it if it exists. */
export interface TempDir {
  get(): Promise<string>;
  remove(): Promise<void>;
}

/**
 * A temp dir under `root` (default os.tmpdir()), readable by the postgres user, marked with its
 * owner's pid, and removed at exit if `remove()` was not called.
 */
export function tempDirFactory(root: string | undefined): TempDir {
  let dir: Promise<string> | undefined;
  return {
    get: () =>
      (dir ??= (async () => {
        const parent = root ?? os.tmpdir();
        await sweepOrphans(parent);
        const created = await mkdtemp(path.join(parent, PREFIX));
        await chmod(created, 0o755);
        await writeFile(path.join(created, OWNER_FILE), String(process.pid));
        trackTempDir(created);
        return created;
      })()),
    remove: async () => {
      if (dir === undefined) return;
      const created = await dir.catch(() => undefined);
      if (created === undefined) return;
      await rm(created, { recursive: true, force: true });
      trackTempDir(created, false);
    },
  };
}
