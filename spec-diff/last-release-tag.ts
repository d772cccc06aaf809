import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The newest `v*` tag reachable from HEAD, or undefined when there is none (or no git repository). */
export async function lastReleaseTag(repoDir: string): Promise<string | undefined> {
  try {
    const { stdout } = await run('git', ['describe', '--tags', '--abbrev=0', '--match', 'v*'], {
      cwd: repoDir,
    });
    return stdout.trim() || undefined;
  } catch {
    // git describe exits 128 when no tag matches; a tarball install has no repository at all.
    return undefined;
  }
}
