import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Histogram, Registry } from 'prom-client';

/** Outcome label of continuum_projector_events_total. */
export type MetricOutcome = 'projected' | 'duplicate' | 'stale' | 'dlq';

/**
 * The projector's Prometheus metrics, in their own registry (several projectors can share a
 * process in tests). Names match the alert rules generated from x-slo.alerts.
 */
export class ProjectorMetrics {
  readonly registry = new Registry();
  readonly events = new Counter({
    name: 'continuum_projector_events_total',
    help: 'Events consumed, by outcome (projected, duplicate, stale, dlq).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly lag = new Histogram({
    name: 'continuum_projector_lag_seconds',
    help: 'source_ts to projection commit for applied events; duplicates and redeliveries excluded.',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });
  readonly dlq = new Counter({
    name: 'continuum_projector_dlq_total',
    help: 'Messages sent to the dead-letter subject and table.',
    registers: [this.registry],
  });
  readonly errors = new Counter({
    name: 'continuum_projector_errors_total',
    help: 'Errors by kind (infra: PostgreSQL/NATS unavailable, retried; cache: Valkey write failed).',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  constructor() {
    for (const o of ['projected', 'duplicate', 'stale', 'dlq'] as const) this.events.inc({ outcome: o }, 0);
    this.dlq.inc(0);
  }

  /** Current value of events_total for one outcome. */
  async count(outcome: MetricOutcome): Promise<number> {
    const m = await this.events.get();
    return m.values.find((v) => v.labels.outcome === outcome)?.value ?? 0;
  }

  /** Serves GET /metrics on 127.0.0.1:port (0 picks a free port). */
  async serve(port: number, host = '127.0.0.1'): Promise<{ server: Server; port: number }> {
    const server = createServer((req, res) => {
      if (req.url !== '/metrics') {
        res.writeHead(404).end();
        return;
      }
      this.registry.metrics().then(
        (body) => res.writeHead(200, { 'content-type': this.registry.contentType }).end(body),
        (err: unknown) => res.writeHead(500).end(String(err)),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, resolve);
    });
    return { server, port: (server.address() as AddressInfo).port };
  }
}
