import { asyncapiDiffPass } from './asyncapi-diff-pass.js';
import { clauseRules } from './clause-rules.js';
import type { Classification, Finding } from './finding.js';
import { isObject } from './json-utils.js';
import { keysRules } from './keys-rules.js';
import { type LoadedSpec, loadSpec } from './load-spec.js';
import { projectionRules } from './projection-rules.js';
import type { RuleInput, RuleModule } from './rule-module.js';
import { semanticsRules } from './semantics-rules.js';
import { sloRules } from './slo-rules.js';
import type { SpecSource } from './spec-source.js';
import { topologyRules } from './topology-rules.js';
import { validateSpec } from './validate-spec.js';
import { type VersionVerdict, checkVersion } from './version-check.js';
import { wireRules } from './wire-rules.js';

/** The result of comparing two versions of the spec. */
export interface DiffReport {
  base: { label: string; version: string };
  head: { label: string; version: string };
  /** Breaking first, then non-breaking, then doc-only; by pointer within each. */
  findings: Finding[];
  counts: Record<Classification, number>;
  version: VersionVerdict;
  /** True when the version verdict passes. */
  ok: boolean;
}

const MODULES: RuleModule[] = [
  wireRules,
  topologyRules,
  keysRules,
  projectionRules,
  semanticsRules,
  sloRules,
  clauseRules,
];
const ORDER: Record<Classification, number> = { breaking: 0, 'non-breaking': 1, 'doc-only': 2 };

/** Maps a pointer into the dereferenced spec to `file#pointer` in the source the node came from. */
function sourceMapper(spec: LoadedSpec): (pointer: string) => string | undefined {
  return (pointer) => {
    let node: unknown = spec.doc;
    let at = `${spec.source.entry}#`;
    for (const segment of pointer.split('/').slice(1)) {
      const key = segment.replace(/~1/g, '/').replace(/~0/g, '~');
      node = Array.isArray(node) ? node[Number(key)] : isObject(node) ? node[key] : undefined;
      const origin = isObject(node) ? spec.origins.get(node) : undefined;
      at = origin ?? `${at}/${segment}`;
    }
    return node === undefined ? undefined : at;
  };
}

/** Compares two already loaded specs. */
export async function diffLoadedSpecs(base: LoadedSpec, head: LoadedSpec): Promise<DiffReport> {
  const tolerant = (spec: LoadedSpec) =>
    isObject(spec.doc['x-unknown-fields']) && spec.doc['x-unknown-fields'].consumer === 'tolerate';
  const headSource = sourceMapper(head);
  const baseSource = sourceMapper(base);
  const input: RuleInput = {
    base,
    head,
    tolerateUnknown: { base: tolerant(base), head: tolerant(head) },
    sourceOf: (pointer) => headSource(pointer) ?? baseSource(pointer) ?? `${head.source.entry}#${pointer}`,
  };
  const findings: Finding[] = [];
  const owns: string[] = [];
  for (const module of MODULES) {
    const out = await module(input);
    findings.push(...out.findings);
    owns.push(...out.owns);
  }
  findings.push(...asyncapiDiffPass(base, head, owns, input.sourceOf));
  findings.sort(
    (a, b) => ORDER[a.classification] - ORDER[b.classification] || a.pointer.localeCompare(b.pointer),
  );
  const versionOf = (spec: LoadedSpec) =>
    isObject(spec.doc.info) ? String(spec.doc.info.version ?? '') : '';
  const version = checkVersion(versionOf(base), versionOf(head), findings);
  const counts = { breaking: 0, 'non-breaking': 0, 'doc-only': 0 };
  for (const f of findings) counts[f.classification] += 1;
  return {
    base: { label: base.source.label, version: versionOf(base) },
    head: { label: head.source.label, version: versionOf(head) },
    findings,
    counts,
    version,
    ok: version.ok,
  };
}

/** Options of {@link diffSpecs}. */
export interface DiffOptions {
  /**
   * Parse and validate both sides with @asyncapi/parser first (default true). Off only where
   * the inputs are known valid and speed matters (the mutation corpus: ~1 s per parse).
   */
  validate?: boolean;
}

/**
 * Validates both sides, loads them (dereferencing ./schemas at the same place or revision) and
 * compares them. An invalid side throws {@link SpecDiffError} `INVALID_SPEC` with the parser's
 * diagnostics: a diff of a document that is not AsyncAPI would classify nonsense.
 */
export async function diffSpecs(
  base: SpecSource,
  head: SpecSource,
  options: DiffOptions = {},
): Promise<DiffReport> {
  const [b, h] = await Promise.all([loadSpec(base), loadSpec(head)]);
  if (options.validate !== false) {
    for (const side of [base, head]) await validateSpec(side);
  }
  return diffLoadedSpecs(b, h);
}
