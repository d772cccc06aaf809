import { type Finding, finding } from './finding.js';
import { isObject, showChange } from './json-utils.js';
import type { LeafChange } from './leaf-changes.js';
import { canonical, stripProse } from './renames.js';

const phaseId = (phase: unknown): string => String(isObject(phase) ? (phase.id ?? phase.name) : phase);
const same = (a: unknown, b: unknown): boolean => canonical(stripProse(a)) === canonical(stripProse(b));

/**
 * semantics: `x-rollout.phases`. A deployment is configured with a phase (the reference reads
 * it: emit-only projects nothing, backfill is refused before phase 4), so every phase it may be
 * set to must keep its id, place and settings. Appending a phase after the last keeps all of
 * that (a new step nobody is in yet); removing, reordering or changing a phase changes what a
 * running deployment's setting means, on both sides.
 */
export function rolloutPhasesRule(c: LeafChange): Finding {
  const at = { category: 'semantics' as const, pointer: c.pointer, before: c.before, after: c.after };
  const before = Array.isArray(c.before) ? c.before : [];
  const after = Array.isArray(c.after) ? c.after : [];
  const kept = before.every((phase, i) => i < after.length && same(phase, after[i]));
  if (kept && after.length > before.length) {
    const ids = after.slice(before.length).map(phaseId).join(', ');
    return finding({
      ...at,
      rule: 'semantics.rollout-phase-appended',
      reason: `rollout phase(s) ${ids} appended after the last: every existing phase keeps its id, place and settings, so deployments in any of them behave as before; the new phase is a step nobody is in yet`,
    });
  }
  const afterIds = after.map(phaseId);
  const removed = before.map(phaseId).filter((id) => !afterIds.includes(id));
  if (removed.length > 0)
    return finding({
      ...at,
      rule: 'semantics.rollout-phase-removed',
      breaks: ['reader', 'writer'],
      reason: `rollout phase(s) ${removed.join(', ')} removed: producers and projectors configured in them have no defined behaviour any more`,
    });
  const changed = before
    .map((phase, i) => ({ phase, i }))
    .filter(({ phase, i }) => !same(phase, after[i]))
    .map(({ phase }) => phaseId(phase));
  return finding({
    ...at,
    rule: 'semantics.rollout-phases-changed',
    breaks: ['reader', 'writer'],
    reason: `rollout phase(s) ${changed.join(', ')} reordered or changed (${showChange(c.before, c.after)}): a deployment configured in one of them now projects, serves, replays or alerts differently from what its operators chose`,
  });
}
