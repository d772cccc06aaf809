import { PAYLOAD_EDGES } from './spec-edges.js';

/** The report note: per payload constraint, how many valid events sat on each of its edges. */
export function edgeNote(counts: ReadonlyMap<string, number>): string {
  const byConstraint = new Map<string, string[]>();
  for (const e of PAYLOAD_EDGES) {
    const n = counts.get(`edge: ${e.constraint} ${e.edge}`) ?? 0;
    const list = byConstraint.get(e.constraint) ?? [];
    list.push(`${e.edge} ${n}`);
    byConstraint.set(e.constraint, list);
  }
  const missed = PAYLOAD_EDGES.filter((e) => (counts.get(`edge: ${e.constraint} ${e.edge}`) ?? 0) === 0);
  return `payload schema edges exercised (valid events sent on each, from schemas/episode-payload.schema.json): ${[
    ...byConstraint,
  ]
    .map(([c, edges]) => `${c}: ${edges.join(', ')}`)
    .join(
      '; ',
    )}${missed.length === 0 ? '' : ` — not exercised: ${missed.map((e) => `${e.constraint} ${e.edge}`).join(', ')}`}`;
}
