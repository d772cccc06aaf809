import type { ReferenceProducer } from './reference-producer.js';

/** Counts of the writes {@link writeDemoEpisodes} made. */
export interface DemoSummary {
  episodes: number;
  writes: number;
  by_type: Record<'created' | 'updated' | 'summarized' | 'deleted', number>;
}

/**
 * Writes `n` demo episodes for one tenant/agent with a fixed mix: every episode is created, every
 * second one updated, every third summarized, every fifth deleted, and every seventh is marked
 * sensitive (so the default policy blocks it). Deterministic, so two runs write the same shape.
 */
export function writeDemoEpisodes(
  producer: ReferenceProducer,
  n: number,
  tenantId: string,
  agentId: string,
): DemoSummary {
  const out: DemoSummary = {
    episodes: n,
    writes: 0,
    by_type: { created: 0, updated: 0, summarized: 0, deleted: 0 },
  };
  for (let i = 0; i < n; i++) {
    const { episode_id: id } = producer.create({
      tenant_id: tenantId,
      agent_id: agentId,
      body: `Demo conversation ${i}: the full transcript stays in the local store.`,
      summary: `Demo episode ${i}`,
      tags: ['demo', i % 2 === 0 ? 'even' : 'odd'],
      metadata: { index: i, channel: 'demo', contact: `user${i}@example.com` },
      sensitive: i % 7 === 6,
    });
    out.by_type.created++;
    if (i % 2 === 1) {
      producer.update(tenantId, agentId, id, {
        tags: ['demo', 'updated'],
        metadata: { index: i, channel: 'demo', turns: i + 1 },
      });
      out.by_type.updated++;
    }
    if (i % 3 === 2) {
      producer.summarize(tenantId, agentId, id, `Demo episode ${i}, summarized`);
      out.by_type.summarized++;
    }
    if (i % 5 === 4) {
      producer.delete(tenantId, agentId, id);
      out.by_type.deleted++;
    }
  }
  out.writes = Object.values(out.by_type).reduce((a, b) => a + b, 0);
  return out;
}
