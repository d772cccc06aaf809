import fc from 'fast-check';
import type { EpisodeEvent, EpisodePayload } from 'continuum-contract';

/** The four event types, exactly as on the wire. */
export type EpisodeEventType = EpisodeEvent['event_type'];

/** Options of validEventArb; every pool is optional (absent: generate freely). */
export interface ValidEventOptions {
  /** Draw tenant_id from this pool (for example a few fresh random ids per test run). */
  tenantIds?: readonly string[];
  agentIds?: readonly string[];
  episodeIds?: readonly string[];
  /** Inclusive source_ts range; default 2000-01-01 .. 2099-12-31. */
  minTs?: Date;
  maxTs?: Date;
  eventTypes?: readonly EpisodeEventType[];
  /** Which event_id spelling to draw; default both. */
  eventIdKind?: 'ulid' | 'uuidv7' | 'any';
  /**
   * 'realistic' (default): 200-1500-byte events with a few tags and metadata keys.
   * 'full': anything up to the contract's bounds (32 tags, 32 metadata keys, 280-char summary).
   */
  size?: 'realistic' | 'full';
}

const LOWER_DIGIT = 'abcdefghijklmnopqrstuvwxyz0123456789'.split('');
const PRINTABLE_ASCII = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i));
const MULTI_BYTE = ['é', 'ü', 'ß', '漢', '字', '—', '😀', '🚀'];
const SCOPED_REST = [...LOWER_DIGIT, '_', '-'];
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'.split('');
const HEX = '0123456789abcdef'.split('');
const META_KEY = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-'.split('');
// Printable text: ASCII plus multi-byte and astral characters (summary length counts code points),
// eight multi-byte units among 103.
const TEXT_UNITS = [...PRINTABLE_ASCII, ...MULTI_BYTE];

/**
 * A string of `min`..`max` units drawn from `units`, built from one drawn length and one drawn
 * 32-bit seed. fast-check's `fc.string` draws (and allocates) an arbitrary per character, which
 * made generating schedules the kit's largest cost; this shrinks by length and seed instead.
 */
export function chars(units: readonly string[], min: number, max: number): fc.Arbitrary<string> {
  return fc.tuple(fc.integer({ min, max }), fc.integer()).map(([length, seed]) => {
    let state = seed | 0;
    let out = '';
    for (let i = 0; i < length; i++) {
      // One step of a 32-bit xorshift per unit.
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      out += units[(state >>> 0) % units.length];
    }
    return out;
  });
}

/** tenant_id / agent_id / key name: 1-64 of [a-z0-9_-], starting alphanumeric. */
export const scopedIdArb = (maxLength = 64): fc.Arbitrary<string> =>
  fc.tuple(fc.constantFrom(...LOWER_DIGIT), chars(SCOPED_REST, 0, maxLength - 1)).map(([a, b]) => a + b);

/** Canonical ULID. */
export const ulidArb = (): fc.Arbitrary<string> =>
  fc.tuple(fc.constantFrom(...'01234567'.split('')), chars(CROCKFORD, 25, 25)).map(([a, b]) => a + b);

/** Canonical UUIDv7 (lower-case, version 7, variant 10xx). */
export const uuidv7Arb = (): fc.Arbitrary<string> =>
  fc
    .tuple(
      chars(HEX, 8, 8),
      chars(HEX, 4, 4),
      chars(HEX, 3, 3),
      fc.constantFrom('8', '9', 'a', 'b'),
      chars(HEX, 15, 15),
    )
    .map(([a, b, c, v, d]) => `${a}-${b}-7${c}-${v}${d.slice(0, 3)}-${d.slice(3)}`);

/** event_id of the requested kind. */
export const eventIdArb = (kind: 'ulid' | 'uuidv7' | 'any' = 'any'): fc.Arbitrary<string> =>
  kind === 'ulid' ? ulidArb() : kind === 'uuidv7' ? uuidv7Arb() : fc.oneof(ulidArb(), uuidv7Arb());

/** A contract source_ts in [min, max], with 0-6 fractional digits. */
export const sourceTsArb = (
  min = new Date('2000-01-01T00:00:00Z'),
  max = new Date('2099-12-31T23:59:59Z'),
): fc.Arbitrary<string> =>
  fc
    .tuple(
      fc.integer({ min: Math.floor(min.getTime() / 1000), max: Math.floor(max.getTime() / 1000) }),
      fc.integer({ min: 0, max: 999_999 }),
      fc.integer({ min: 0, max: 6 }),
    )
    .map(([seconds, micros, digits]) => {
      const base = new Date(seconds * 1000).toISOString().slice(0, 19);
      const fraction = String(micros).padStart(6, '0').slice(0, digits);
      return `${base}${digits > 0 ? `.${fraction}` : ''}Z`;
    });

const refArb = (tenant: string, episode: string) =>
  fc.oneof(
    fc.constant(`continuum://${tenant}/episodes/${episode}`),
    fc
      .tuple(
        fc.constantFrom('continuum', 's3', 'file', 'urn'),
        chars([...LOWER_DIGIT, '/', '-', '.'], 1, 120),
      )
      .map(([scheme, rest]) => `${scheme}:${rest}`),
  );

/** A valid payload whose references point under `tenant` and `episode`; 'full' reaches every bound. */
export function payloadArb(tenant: string, episode: string, full: boolean): fc.Arbitrary<EpisodePayload> {
  // Realistic mode draws medium sizes so events land at 200-1500 bytes, like real episodes.
  const size: fc.SizeForArbitrary | undefined = full ? undefined : 'medium';
  const tag = chars([...META_KEY, ':', '#', 'é'], 1, full ? 64 : 16);
  const metaValue = fc.oneof(
    chars(TEXT_UNITS, 0, full ? 256 : 40),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
  );
  const metaKey = chars(META_KEY, 1, full ? 64 : 16).filter((k) => k !== '__proto__');
  return fc.record(
    {
      content_ref: refArb(tenant, episode),
      summary: chars(TEXT_UNITS, full ? 0 : 20, full ? 280 : 200),
      tags: fc.uniqueArray(tag, {
        minLength: full ? 0 : 1,
        maxLength: full ? 32 : 8,
        ...(size ? { size } : {}),
      }),
      embedding_ref: refArb(tenant, episode).map((r) => `${r}#embedding`),
      metadata: fc.dictionary(metaKey, metaValue, {
        minKeys: full ? 0 : 1,
        maxKeys: full ? 32 : 8,
        ...(size ? { size } : {}),
      }),
    },
    { requiredKeys: ['content_ref', 'tags', 'metadata'] },
  );
}

/** A valid EpisodeEvent (passes the producer and the consumer validators). */
export function validEventArb(options: ValidEventOptions = {}): fc.Arbitrary<EpisodeEvent> {
  const pick = (pool: readonly string[] | undefined, fallback: fc.Arbitrary<string>) =>
    pool && pool.length > 0 ? fc.constantFrom(...pool) : fallback;
  const full = options.size === 'full';
  return fc
    .record({
      event_id: eventIdArb(options.eventIdKind),
      event_type: fc.constantFrom<EpisodeEventType>(
        ...(options.eventTypes ?? [
          'episode.created',
          'episode.updated',
          'episode.deleted',
          'episode.summarized',
        ]),
      ),
      tenant_id: pick(options.tenantIds, scopedIdArb(full ? 64 : 16)),
      agent_id: pick(options.agentIds, scopedIdArb(full ? 64 : 16)),
      episode_id: pick(options.episodeIds, ulidArb()),
      source_ts: sourceTsArb(options.minTs, options.maxTs),
    })
    .chain((envelope) =>
      payloadArb(envelope.tenant_id, envelope.episode_id, full).map((payload): EpisodeEvent => ({
        ...envelope,
        schema_version: 1,
        payload,
      })),
    );
}
