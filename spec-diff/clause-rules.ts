import { type Finding, finding, ptr } from './finding.js';
import { isObject, unionKeys } from './json-utils.js';
import type { RuleModule } from './rule-module.js';

const record = (value: unknown): Record<string, unknown> => (isObject(value) ? value : {});
const ids = (rules: unknown): string[] =>
  Array.isArray(rules) ? rules.map((r) => String(record(r).id)) : [];

/**
 * info: the clause catalog (`x-clauses`) and the documented Reflex boundary. Reports,
 * validators and consumers' dashboards cite clause ids, so removing one breaks readers of
 * those reports; a changed `check` or `side` changes how and in which runs a clause is judged
 * (non-breaking); clause titles and text are the summaries reports show (doc-only).
 */
export const clauseRules: RuleModule = ({ base, head, sourceOf }) => {
  const findings: Finding[] = [];
  const bc = record(base.doc['x-clauses']);
  const hc = record(head.doc['x-clauses']);
  for (const id of unionKeys(bc, hc)) {
    const pointer = ptr('x-clauses', id);
    const at = {
      category: 'info' as const,
      pointer,
      source: sourceOf(pointer),
      before: bc[id],
      after: hc[id],
    };
    if (!(id in hc))
      findings.push(
        finding({
          ...at,
          rule: 'info.clause-removed',
          breaks: ['reader'],
          reason: `clause ${id} removed: reports, validators and dashboards cite it`,
        }),
      );
    else if (!(id in bc))
      findings.push(finding({ ...at, rule: 'info.clause-added', reason: `clause ${id} added` }));
    else {
      const before = record(bc[id]);
      const after = record(hc[id]);
      const judged: Finding[] = [];
      if (before.check !== after.check)
        judged.push(
          finding({
            ...at,
            rule: 'info.clause-check-changed',
            reason: `clause ${id} is now checked by '${String(after.check)}' instead of '${String(before.check)}'`,
          }),
        );
      if (before.side !== after.side)
        judged.push(
          finding({
            ...at,
            rule: 'info.clause-side-changed',
            reason: `clause ${id} now binds '${String(after.side)}' ${before.side === undefined ? 'where it named no side' : `instead of '${String(before.side)}'`}: runs of one side select it differently`,
          }),
        );
      if (judged.length === 0 && JSON.stringify(before) !== JSON.stringify(after))
        judged.push(
          finding({
            ...at,
            rule: 'info.doc',
            classification: 'doc-only',
            reason: `clause ${id} title, section or summary text changed`,
          }),
        );
      findings.push(...judged);
    }
  }
  const br = record(base.doc['x-reflex-boundary']).rules;
  const hr = record(head.doc['x-reflex-boundary']).rules;
  if (JSON.stringify(br) !== JSON.stringify(hr)) {
    const removed = ids(br).filter((id) => !ids(hr).includes(id));
    const added = ids(hr).filter((id) => !ids(br).includes(id));
    const at = {
      category: 'info' as const,
      pointer: '/x-reflex-boundary/rules',
      source: sourceOf('/x-reflex-boundary/rules'),
      before: br,
      after: hr,
    };
    findings.push(
      removed.length > 0
        ? finding({
            ...at,
            rule: 'info.clause-removed',
            breaks: ['reader'],
            reason: `Reflex boundary rule(s) ${removed.join(', ')} removed: reports cite them`,
          })
        : added.length > 0
          ? finding({
              ...at,
              rule: 'info.clause-added',
              reason: `Reflex boundary rule(s) ${added.join(', ')} added`,
            })
          : finding({
              ...at,
              rule: 'info.doc',
              classification: 'doc-only',
              reason: 'Reflex boundary rules reworded (documented clauses, no check changes)',
            }),
    );
  }
  return { findings, owns: ['/x-clauses', '/x-reflex-boundary/rules'] };
};
