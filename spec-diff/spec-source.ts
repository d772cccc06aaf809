import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { SpecDiffError } from './spec-diff-error.js';

const run = promisify(execFile);

/**
 * Where one side of a diff comes from. Paths passed to `read` are POSIX paths relative to the
 * directory of the entry document, so `$ref: ./schemas/x.json` reads from the same place
 * (working tree or git revision) as the spec itself.
 */
export interface SpecSource {
  /** Shown in reports: the argument as given. */
  label: string;
  /** The entry document, relative to the source root. */
  entry: string;
  read(relativePath: string): Promise<string>;
}

/** A spec in the file system; `$ref`s resolve beside it. */
export function fileSource(file: string, label = file): SpecSource {
  const root = path.dirname(path.resolve(file));
  return {
    label,
    entry: path.basename(file),
    async read(relativePath) {
      const full = path.resolve(root, relativePath);
      try {
        return await readFile(full, 'utf8');
      } catch (cause) {
        throw new SpecDiffError('UNREADABLE', `cannot read ${full}: ${(cause as Error).message}`, { cause });
      }
    },
  };
}

/** A spec at a git revision; `$ref`s resolve at that same revision with `git show`. */
export async function gitSource(
  revision: string,
  file: string,
  repoDir: string,
  label?: string,
): Promise<SpecSource> {
  if (revision.startsWith('-')) {
    // git would read it as an option (e.g. --output=FILE), not a revision.
    throw new SpecDiffError('BAD_REVISION', `${revision}: a revision cannot start with '-'`);
  }
  let repoPath: string;
  try {
    const prefix = (await run('git', ['rev-parse', '--show-prefix'], { cwd: repoDir })).stdout.trim();
    repoPath = path.posix.normalize(path.posix.join(prefix, file.replace(/^\.\//, '')));
  } catch (cause) {
    throw new SpecDiffError('BAD_REVISION', `${repoDir} is not inside a git repository`, { cause });
  }
  if (repoPath.startsWith('..')) {
    throw new SpecDiffError('BAD_REVISION', `${file} is outside the git repository at ${repoDir}`);
  }
  const root = path.posix.dirname(repoPath);
  return {
    label: label ?? `${revision}:${file}`,
    entry: path.posix.basename(repoPath),
    async read(relativePath) {
      const target = path.posix.normalize(path.posix.join(root, relativePath));
      try {
        const { stdout } = await run('git', ['show', `${revision}:${target}`], {
          cwd: repoDir,
          maxBuffer: 64 << 20,
        });
        return stdout;
      } catch (cause) {
        const detail = ((cause as { stderr?: string }).stderr ?? '').trim().split('\n')[0] ?? '';
        throw new SpecDiffError('BAD_REVISION', `git show ${revision}:${target} failed: ${detail}`, {
          cause,
        });
      }
    },
  };
}

/** An in-memory spec (tests, tools): `files` maps relative paths to their text. */
export function memorySource(files: ReadonlyMap<string, string>, entry: string, label = entry): SpecSource {
  return {
    label,
    entry,
    read(relativePath) {
      const text = files.get(path.posix.normalize(relativePath));
      if (text === undefined)
        return Promise.reject(new SpecDiffError('UNREADABLE', `no file ${relativePath} in ${label}`));
      return Promise.resolve(text);
    },
  };
}

/**
 * Reads a command-line argument: an existing file, else `REV:PATH` (split at the first ':'),
 * else an unreadable file.
 */
export async function sourceFromArgument(argument: string, repoDir: string): Promise<SpecSource> {
  const asFile = path.resolve(repoDir, argument);
  if (existsSync(asFile)) return fileSource(asFile, argument);
  const colon = argument.indexOf(':');
  if (colon > 0 && colon < argument.length - 1) {
    return gitSource(argument.slice(0, colon), argument.slice(colon + 1), repoDir, argument);
  }
  throw new SpecDiffError('UNREADABLE', `${argument}: no such file (and not REV:PATH)`);
}
