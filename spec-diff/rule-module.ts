import type { Finding } from './finding.js';
import type { LoadedSpec } from './load-spec.js';

/** What every rule module gets. */
export interface RuleInput {
  base: LoadedSpec;
  head: LoadedSpec;
  /** Whether base/head readers ignore unknown properties (x-unknown-fields consumer: tolerate). */
  tolerateUnknown: { base: boolean; head: boolean };
  /** Source location for a pointer into the dereferenced spec (`file#pointer`). */
  sourceOf(pointer: string): string;
}

/** Findings, and the pointers the module judged (the @asyncapi/diff pass skips them). */
export interface RuleOutput {
  findings: Finding[];
  owns: string[];
}

/** One category of rules. */
export type RuleModule = (input: RuleInput) => Promise<RuleOutput> | RuleOutput;
