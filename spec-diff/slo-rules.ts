import { type Side, finding } from './finding.js';
import { showChange } from './json-utils.js';
import { classifyLeaves, leafChanges, numericChange } from './leaf-changes.js';
import type { RuleModule } from './rule-module.js';

/** Which implementation an SLO binds: the producer (writer) or the projector (reader). */
const BINDS: Record<string, Side> = {
  local_write_p99_ratio: 'writer',
  publish_p99_ms: 'writer',
  projection_lag_p95_ms: 'reader',
  duplicate_projection_rate: 'reader',
};

/**
 * slo: thresholds are obligations on implementations. Tightening one can make a conforming
 * implementation fail its SLO check, so it is breaking; loosening is not. A new SLO is a new
 * obligation (breaking); dropping one is not. Alert rules only change what pages whom.
 */
export const sloRules: RuleModule = ({ base, head, sourceOf }) => {
  const changes = leafChanges(base.doc['x-slo'], head.doc['x-slo'], '/x-slo');
  const findings = classifyLeaves(changes, 'slo', sourceOf, (c) => {
    const at = { category: 'slo' as const, pointer: c.pointer, before: c.before, after: c.after };
    const [name, field] = c.path;
    if (name === undefined) {
      return c.action === 'add'
        ? finding({
            ...at,
            rule: 'slo.added',
            breaks: ['reader', 'writer'],
            reason: 'SLOs added: new obligations existing implementations were never checked against',
          })
        : c.action === 'remove'
          ? finding({ ...at, rule: 'slo.removed', reason: 'all SLOs removed: obligations dropped' })
          : undefined;
    }
    if (name === 'alerts')
      return finding({
        ...at,
        rule: 'slo.alerts-changed',
        reason: 'alert rules changed: generated/alerts.yml differs, no implementation fails conformance',
      });
    const binds: Side[] = BINDS[name] ? [BINDS[name]] : ['reader', 'writer'];
    if (field === undefined) {
      return c.action === 'add'
        ? finding({
            ...at,
            rule: 'slo.added',
            breaks: binds,
            reason: `SLO ${name} added: a new obligation existing implementations were never checked against`,
          })
        : finding({ ...at, rule: 'slo.removed', reason: `SLO ${name} removed: an obligation dropped` });
    }
    if (field === 'max' || field === 'min') {
      return numericChange(c, field === 'max') === 'tightened'
        ? finding({
            ...at,
            rule: 'slo.tightened',
            breaks: binds,
            reason: `SLO ${name} ${field} tightened (${showChange(c.before, c.after)}): an implementation that met the old threshold may fail the new one`,
          })
        : finding({
            ...at,
            rule: 'slo.loosened',
            reason: `SLO ${name} ${field} loosened (${showChange(c.before, c.after)}): every implementation that met it still does`,
          });
    }
    return undefined;
  });
  return { findings, owns: ['/x-slo'] };
};
