import { requireSourceTs } from './source-ts.js';

/** The two fields of an event that order it (x-delivery.ordering_key). */
export interface OrderingKey {
  source_ts: string;
  event_id: string;
}

const ASCII = /^[\x00-\x7f]*$/;

function compareBytes(a: string, b: string): number {
  // For ASCII, UTF-16 code unit order is byte order; otherwise compare the UTF-8 bytes.
  if (ASCII.test(a) && ASCII.test(b)) return a < b ? -1 : a > b ? 1 : 0;
  return Math.sign(Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
}

/**
 * Orders two events as the projection does (CT-4.guard, CT-4.tie-break): by source_ts as an
 * instant at microsecond precision ('.5Z' equals '.500000Z'), then by event_id as a byte string
 * (PostgreSQL COLLATE "C"). Returns -1, 0 or 1; 0 only for the same instant and event_id.
 * Throws ContractUsageError('INVALID_TIMESTAMP') for a source_ts outside the contract.
 */
export function compareOrderingKey(a: OrderingKey, b: OrderingKey): number {
  const ta = requireSourceTs(a.source_ts);
  const tb = requireSourceTs(b.source_ts);
  if (ta.epochSeconds !== tb.epochSeconds) return ta.epochSeconds < tb.epochSeconds ? -1 : 1;
  if (ta.micros !== tb.micros) return ta.micros < tb.micros ? -1 : 1;
  return compareBytes(a.event_id, b.event_id);
}

/** Microseconds since the Unix epoch of a contract source_ts (throws INVALID_TIMESTAMP otherwise). */
export function sourceTsToMicros(ts: string): bigint {
  const parts = requireSourceTs(ts);
  return BigInt(parts.epochSeconds) * 1_000_000n + BigInt(parts.micros);
}

/**
 * The canonical spelling of a source_ts: 'YYYY-MM-DDTHH:MM:SS.ffffffZ' (six fractional digits),
 * as the projection stores last_event_ts. Throws INVALID_TIMESTAMP for a non-contract timestamp.
 */
export function canonicalSourceTs(ts: string): string {
  return requireSourceTs(ts).canonical;
}
