import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The installed kit's version, read from its own package.json: the nearest one above this file
 * whose name is continuum-kit (cli/ from a clone, dist/cli/ from the build or the package).
 */
export function kitVersion(): string {
  for (let dir = import.meta.dirname; ; dir = path.dirname(dir)) {
    try {
      const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (manifest.name === 'continuum-kit' && manifest.version !== undefined) return manifest.version;
    } catch {
      // no package.json here: keep walking up
    }
    if (path.dirname(dir) === dir) return 'unknown';
  }
}
