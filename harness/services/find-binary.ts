import { accessSync, constants, readdirSync } from 'node:fs';
import path from 'node:path';

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first executable `name` on `env.PATH`, or undefined. */
export function findBinary(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** OS tools (setpriv, runuser) are looked up on the real PATH plus the usual sbin dirs. */
export function findSystemTool(name: string): string | undefined {
  const dirs = [process.env.PATH ?? '', '/usr/bin', '/bin', '/usr/sbin', '/sbin'].join(path.delimiter);
  return findBinary(name, { PATH: dirs });
}

/**
 * The directory holding both `initdb` and `postgres`: the highest version under each root's
 * `* /bin` (Debian's /usr/lib/postgresql/15/bin), then PATH.
 */
export function findPostgresBinDir(roots: readonly string[], env: NodeJS.ProcessEnv): string | undefined {
  const hasBoth = (dir: string): boolean =>
    isExecutable(path.join(dir, 'initdb')) && isExecutable(path.join(dir, 'postgres'));
  for (const root of roots) {
    let versions: string[];
    try {
      versions = readdirSync(root);
    } catch {
      continue;
    }
    versions.sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a));
    for (const version of versions) {
      const dir = path.join(root, version, 'bin');
      if (hasBoth(dir)) return dir;
    }
  }
  const initdb = findBinary('initdb', env);
  if (initdb !== undefined && hasBoth(path.dirname(initdb))) return path.dirname(initdb);
  return undefined;
}
