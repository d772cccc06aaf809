import { RULE_EDGES } from './rule-edges.js';
import { EDGE_LABEL_SEPARATOR, PAYLOAD_EDGES } from './spec-edges.js';

/** Valid messages per edge label, from counts per message label (a label can name several edges). */
function perEdge(counts: ReadonlyMap<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [label, n] of counts)
    for (const edge of label.split(EDGE_LABEL_SEPARATOR)) out.set(edge, (out.get(edge) ?? 0) + n);
  return out;
}

function section(
  title: string,
  edges: readonly { group: string; edge: string }[],
  counts: ReadonlyMap<string, number>,
): string {
  const count = (e: { group: string; edge: string }) => counts.get(`edge: ${e.group} ${e.edge}`) ?? 0;
  const byGroup = new Map<string, string[]>();
  for (const e of edges) byGroup.set(e.group, [...(byGroup.get(e.group) ?? []), `${e.edge} ${count(e)}`]);
  const missed = edges.filter((e) => count(e) === 0);
  return `${title}: ${[...byGroup].map(([g, list]) => `${g}: ${list.join(', ')}`).join('; ')}${
    missed.length === 0 ? '' : ` — not exercised: ${missed.map((e) => `${e.group} ${e.edge}`).join(', ')}`
  }`;
}

/**
 * The report notes: per payload constraint, how many valid events sat on each of its edges;
 * per rule of x-event-semantics, how many valid events arrived on each of its edges.
 */
export function edgeNotes(counts: ReadonlyMap<string, number>): string[] {
  const edges = perEdge(counts);
  return [
    section(
      'payload schema edges exercised (valid events sent on each, from schemas/episode-payload.schema.json)',
      PAYLOAD_EDGES.map((e) => ({ group: e.constraint, edge: e.edge })),
      edges,
    ),
    section(
      'ordering, delete and dedup rule edges exercised (valid events arriving on each, from x-delivery and x-event-semantics)',
      RULE_EDGES.map((e) => ({ group: e.clause, edge: e.edge })),
      edges,
    ),
  ];
}
