import { stringify } from 'yaml';
import { generatedHeader } from './header.js';
import type { SpecSource } from './spec-source.js';

interface AlertSpec {
  name: string;
  metric: string;
  expr: string;
  for: string;
  severity: string;
}

/** Renders generated/alerts.yml: one Prometheus alerting rule per x-slo.alerts entry. */
export function renderAlerts(source: SpecSource): string {
  const slo = source.spec['x-slo'] as { alerts?: AlertSpec[] } | undefined;
  if (!slo?.alerts?.length) throw new Error('asyncapi.yaml lacks x-slo.alerts');
  const rules = slo.alerts.map((alert) => ({
    alert: alert.name,
    expr: alert.expr,
    for: alert.for,
    labels: { severity: alert.severity, contract: 'continuum-integration' },
    annotations: {
      summary: `${alert.name}: ${alert.metric} breached its SLO threshold`,
      expr_metric: alert.metric,
    },
  }));
  const doc = { groups: [{ name: 'continuum-integration-slo', rules }] };
  return `${generatedHeader('#', source.hash)}${stringify(doc, { lineWidth: 0 })}`;
}
