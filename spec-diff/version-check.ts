import type { Finding } from './finding.js';

/** What the findings require of info.version, what changed, and whether that is enough. */
export interface VersionVerdict {
  ok: boolean;
  base: string;
  head: string;
  /** `major` when anything breaks, `bump` (any of major/minor/patch) for other changes, `none` for doc-only. */
  required: 'major' | 'bump' | 'none';
  actual: 'major' | 'minor' | 'patch' | 'none' | 'downgrade' | 'invalid';
  reason: string;
}

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

function bumpOf(base: string, head: string): VersionVerdict['actual'] {
  const b = SEMVER.exec(base);
  const h = SEMVER.exec(head);
  if (!b || !h) return 'invalid';
  const bn = [1, 2, 3].map((i) => Number(b[i]));
  const hn = [1, 2, 3].map((i) => Number(h[i]));
  for (let i = 0; i < 3; i++) {
    if ((hn[i] ?? 0) > (bn[i] ?? 0)) {
      // In 0.y.z a minor bump is the breaking bump (semver item 4: anything may change).
      if (bn[0] === 0 && i === 1) return 'major';
      return (['major', 'minor', 'patch'] as const)[i] ?? 'patch';
    }
    if ((hn[i] ?? 0) < (bn[i] ?? 0)) return 'downgrade';
  }
  if (b[4] !== h[4]) return h[4] === undefined || (b[4] !== undefined && h[4] > b[4]) ? 'patch' : 'downgrade';
  return 'none';
}

/**
 * Semver gate on info.version: a breaking change needs a major bump (a minor one in 0.y.z),
 * any other non-doc change needs some bump, doc-only changes need none. A version that goes
 * down or is not semver fails.
 */
export function checkVersion(
  baseVersion: unknown,
  headVersion: unknown,
  findings: readonly Finding[],
): VersionVerdict {
  const base = String(baseVersion ?? '');
  const head = String(headVersion ?? '');
  const required = findings.some((f) => f.classification === 'breaking')
    ? 'major'
    : findings.some((f) => f.classification === 'non-breaking')
      ? 'bump'
      : 'none';
  const actual = bumpOf(base, head);
  const verdict = (ok: boolean, reason: string): VersionVerdict => ({
    ok,
    base,
    head,
    required,
    actual,
    reason,
  });
  if (actual === 'invalid')
    return verdict(
      false,
      `info.version must be semver on both sides (${JSON.stringify(base)} -> ${JSON.stringify(head)})`,
    );
  if (actual === 'downgrade') return verdict(false, `info.version went down (${base} -> ${head})`);
  if (required === 'major' && actual !== 'major')
    return verdict(
      false,
      `breaking changes need a major version bump; ${base} -> ${head} is ${actual === 'none' ? 'no bump' : `a ${actual} bump`}`,
    );
  if (required === 'bump' && actual === 'none')
    return verdict(
      false,
      `non-breaking changes need a version bump (at least patch); info.version is still ${head}`,
    );
  if (required === 'none')
    return verdict(
      true,
      actual === 'none'
        ? 'doc-only or no changes: no bump needed'
        : `doc-only or no changes; ${actual} bump ${base} -> ${head} is allowed`,
    );
  return verdict(
    true,
    `${required === 'major' ? 'breaking changes' : 'non-breaking changes'} with a ${actual} bump (${base} -> ${head})`,
  );
}
