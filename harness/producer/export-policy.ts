import type { EpisodeEvent } from './contract.js';
import { PRODUCER_ERROR_CODES, ProducerError } from './errors.js';

/** A tenant's export policy (asyncapi.yaml x-export-policy). The default exports refs only, nothing sensitive. */
export interface ExportPolicy {
  /** Export episodes marked sensitive (still refs only). */
  allow_sensitive: boolean;
  /** Regular expressions (JavaScript syntax); every match in summary and metadata strings becomes '[REDACTED]'. */
  redact_patterns: string[];
}

const compiled = new WeakMap<ExportPolicy, RegExp[]>();

export const DEFAULT_POLICY: ExportPolicy = { allow_sensitive: false, redact_patterns: [] };

/** The gate's decision for one change-log entry. */
export type GateDecision =
  | { action: 'publish'; event: EpisodeEvent }
  | { action: 'blocked'; clauseId: 'CT-3.export-policy'; reason: string };

/** Checks a policy from the outside world (the driver, a file) and compiles nothing yet. */
export function parseExportPolicy(value: unknown): ExportPolicy {
  const bad = (what: string): never => {
    throw new ProducerError(PRODUCER_ERROR_CODES.invalidPolicy, what);
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return bad('policy must be an object');
  const v = value as Record<string, unknown>;
  for (const key of Object.keys(v)) {
    if (key !== 'allow_sensitive' && key !== 'redact_patterns') bad(`unknown policy field '${key}'`);
  }
  if (typeof v.allow_sensitive !== 'boolean') bad('allow_sensitive must be a boolean');
  const patterns = v.redact_patterns ?? [];
  if (!Array.isArray(patterns) || patterns.some((p) => typeof p !== 'string' || p.length === 0)) {
    bad('redact_patterns must be an array of non-empty strings');
  }
  for (const p of patterns as string[]) {
    try {
      new RegExp(p, 'g');
    } catch (error) {
      throw new ProducerError(
        PRODUCER_ERROR_CODES.invalidPolicy,
        `redact pattern ${JSON.stringify(p)} is not a valid regular expression`,
        {
          cause: error,
        },
      );
    }
  }
  return { allow_sensitive: v.allow_sensitive as boolean, redact_patterns: patterns as string[] };
}

/**
 * The export-policy and redaction gate (CT-7.redaction, CT-3.export-policy, CT-6.fail-closed): a
 * sensitive episode leaves only when the policy allows it; summary and metadata strings are
 * redacted. The event itself carries only references: the body never enters it.
 * One exception: the delete of a sensitive episode that was `exportedBefore` (before it became
 * sensitive) leaves stripped to references, so downstream marks it deleted instead of keeping it.
 */
export function applyExportPolicy(
  event: EpisodeEvent,
  sensitive: boolean,
  policy: ExportPolicy,
  exportedBefore = false,
): GateDecision {
  if (sensitive && !policy.allow_sensitive && event.event_type === 'episode.deleted' && exportedBefore) {
    const { content_ref, embedding_ref } = event.payload;
    const payload = {
      content_ref,
      ...(embedding_ref === undefined ? {} : { embedding_ref }),
      tags: [],
      metadata: {},
    };
    return { action: 'publish', event: { ...event, payload } };
  }
  if (sensitive && !policy.allow_sensitive) {
    return {
      action: 'blocked',
      clauseId: 'CT-3.export-policy',
      reason: 'sensitive episode; tenant policy does not allow export',
    };
  }
  if (policy.redact_patterns.length === 0) return { action: 'publish', event };
  let patterns = compiled.get(policy);
  if (!patterns) compiled.set(policy, (patterns = policy.redact_patterns.map((p) => new RegExp(p, 'g'))));
  const redact = (text: string): string => patterns.reduce((acc, re) => acc.replace(re, '[REDACTED]'), text);
  const payload = { ...event.payload };
  if (payload.summary !== undefined) payload.summary = redact(payload.summary);
  const metadata: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(payload.metadata as Record<string, unknown>)) {
    metadata[key] = typeof value === 'string' ? redact(value) : value;
  }
  payload.metadata = metadata as EpisodeEvent['payload']['metadata'];
  return { action: 'publish', event: { ...event, payload } };
}
