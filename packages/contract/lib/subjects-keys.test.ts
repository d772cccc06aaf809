import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ContractUsageError,
  ERROR_CODES,
  brokerMsgId,
  CONTRACT,
  PROJECTION_TABLES,
  cacheKey,
  dlqSubject,
  dlqSubjectFilter,
  episodeSubject,
  episodeSubjectFilter,
  parseDlqSubject,
  parseEpisodeSubject,
  parseValkeyKey,
  presenceKey,
  rateLimitKey,
  tenantKeyPrefix,
} from './index.js';

const FIRST = 'abcdefghijklmnopqrstuvwxyz0123456789'.split('');
const REST = [...FIRST, '_', '-'];
const scopedId = fc
  .tuple(fc.constantFrom(...FIRST), fc.string({ unit: fc.constantFrom(...REST), maxLength: 63 }))
  .map(([a, b]) => a + b);
const ulid = fc
  .tuple(
    fc.constantFrom(...'01234567'.split('')),
    fc.string({
      unit: fc.constantFrom(...'0123456789ABCDEFGHJKMNPQRSTVWXYZ'.split('')),
      minLength: 25,
      maxLength: 25,
    }),
  )
  .map(([a, b]) => a + b);
// Anything, including every delimiter and wildcard: builders must refuse what is not an id.
const anyString = fc.oneof(
  fc.string(),
  fc.constantFrom('a:b', 'a.b', '*', '>', 'A', '', 'a b', '_invalid', 'a{b}'),
);

function usageCode(f: () => unknown): string | undefined {
  try {
    f();
    return undefined;
  } catch (error) {
    return error instanceof ContractUsageError ? error.code : 'other';
  }
}

describe('subjects', () => {
  it('round-trip tenant and agent', () => {
    fc.assert(
      fc.property(scopedId, scopedId, (t, a) => {
        expect(episodeSubject(t, a)).toBe(`continuum.episode.v1.${t}.${a}`);
        expect(parseEpisodeSubject(episodeSubject(t, a))).toEqual({ ok: true, tenantId: t, agentId: a });
        expect(parseDlqSubject(dlqSubject(t, a))).toEqual({ ok: true, tenantId: t, agentId: a });
        // An episode subject is never read as a DLQ subject and vice versa.
        expect(parseDlqSubject(episodeSubject(t, a)).ok).toBe(false);
        expect(parseEpisodeSubject(dlqSubject(t, a)).ok).toBe(false);
      }),
    );
  });
  it('distinct (tenant, agent) pairs never share a subject', () => {
    fc.assert(
      fc.property(scopedId, scopedId, scopedId, scopedId, (t1, a1, t2, a2) => {
        fc.pre(t1 !== t2 || a1 !== a2);
        expect(episodeSubject(t1, a1)).not.toBe(episodeSubject(t2, a2));
      }),
    );
  });
  it('builders refuse ids outside the contract with INVALID_ID', () => {
    fc.assert(
      fc.property(anyString, scopedId, (bad, good) => {
        fc.pre(!/^[a-z0-9][a-z0-9_-]{0,63}$/.test(bad));
        expect(usageCode(() => episodeSubject(bad, good))).toBe(ERROR_CODES.INVALID_ID);
        expect(usageCode(() => episodeSubject(good, bad))).toBe(ERROR_CODES.INVALID_ID);
      }),
    );
  });
  it.each([
    'continuum.episode.v1.*.*',
    'continuum.episode.v1.acme.>',
    'continuum.episode.v1.acme',
    'continuum.episode.v1.acme.a1.extra',
    'continuum.episode.v1.Acme.a1',
    'continuum.episode.v1._invalid.a1',
    'continuum.episode.v2.acme.a1',
  ])('parseEpisodeSubject rejects %s', (subject) => {
    expect(parseEpisodeSubject(subject).ok).toBe(false);
  });
  it('the DLQ accepts the reserved _invalid scope', () => {
    expect(dlqSubject('_invalid', '_invalid')).toBe('continuum.episode.dlq.v1._invalid._invalid');
    expect(parseDlqSubject('continuum.episode.dlq.v1._invalid._invalid').ok).toBe(true);
  });
});

describe('broker msg id', () => {
  it('joins the whole idempotency key; tenants never collide', () => {
    fc.assert(
      fc.property(scopedId, scopedId, scopedId, ulid, (t1, t2, a, e) => {
        fc.pre(t1 !== t2);
        expect(brokerMsgId(t1, a, e)).toBe(`${t1}:${a}:${e}`);
        expect(brokerMsgId(t1, a, e)).not.toBe(brokerMsgId(t2, a, e));
      }),
    );
    expect(usageCode(() => brokerMsgId('acme', 'a1', 'not-an-id'))).toBe(ERROR_CODES.INVALID_ID);
  });
});

describe('Valkey keys', () => {
  it('round-trip every family', () => {
    fc.assert(
      fc.property(scopedId, scopedId, scopedId, ulid, (t, a, name, e) => {
        expect(parseValkeyKey(presenceKey(t, a, name))).toEqual({
          ok: true,
          family: 'presence',
          tenantId: t,
          agentId: a,
          name,
        });
        expect(parseValkeyKey(rateLimitKey(t, a, name))).toEqual({
          ok: true,
          family: 'rate_limit',
          tenantId: t,
          agentId: a,
          name,
        });
        expect(parseValkeyKey(cacheKey(t, e, a))).toEqual({
          ok: true,
          family: 'cache',
          tenantId: t,
          agentId: a,
          episodeId: e,
        });
        expect(cacheKey(t, e, a)).toBe(`tenant:${t}:episode:${e}:cache:${a}`);
      }),
    );
  });
  it("a key built for tenant A is never accepted as tenant B's", () => {
    fc.assert(
      fc.property(scopedId, scopedId, scopedId, scopedId, ulid, (ta, tb, a, name, e) => {
        fc.pre(ta !== tb);
        for (const key of [presenceKey(ta, a, name), rateLimitKey(ta, a, name), cacheKey(ta, e, a)]) {
          const parsed = parseValkeyKey(key);
          expect(parsed.ok && parsed.tenantId).toBe(ta);
          expect(parseValkeyKey(key, tb).ok).toBe(false);
          expect(parseValkeyKey(key, ta).ok).toBe(true);
        }
      }),
    );
  });
  it('builders refuse ids outside the contract', () => {
    fc.assert(
      fc.property(anyString, scopedId, ulid, (bad, good, e) => {
        fc.pre(!/^[a-z0-9][a-z0-9_-]{0,63}$/.test(bad));
        expect(usageCode(() => presenceKey(bad, good, good))).toBe(ERROR_CODES.INVALID_ID);
        expect(usageCode(() => rateLimitKey(good, good, bad))).toBe(ERROR_CODES.INVALID_ID);
        expect(usageCode(() => cacheKey(good, e, bad))).toBe(ERROR_CODES.INVALID_ID);
      }),
    );
    expect(usageCode(() => cacheKey('acme', 'not-a-ulid', 'a1'))).toBe(ERROR_CODES.INVALID_ID);
  });
  it.each([
    'acme:agent:a1:presence:p',
    'tenant:acme:agent:a1:presence',
    'tenant:acme:agent:a1:presence:p:extra',
    'tenant:acme:agent:a1:sessions:p',
    'tenant:acme:episode:01JD3ZTZ0000000000000000AB:body:a1',
    'tenant:acme:episode:not-a-ulid:cache:a1',
    'tenant:Acme:agent:a1:presence:p',
    'tenant:acme:evil:agent:a1:presence:p',
    'tenant::agent:a1:presence:p',
    'tenant:*:agent:a1:presence:p',
  ])('parseValkeyKey rejects %s', (key) => {
    expect(parseValkeyKey(key).ok).toBe(false);
  });
});

describe('filters, prefixes and table names from the spec', () => {
  it('subject filters put * for an omitted id, allow > as the agent, and refuse other wildcards', () => {
    expect(episodeSubjectFilter()).toBe(CONTRACT.consumer.filter_subject);
    expect(dlqSubjectFilter()).toBe(CONTRACT.streams.dlq.subjects[0]);
    expect(episodeSubjectFilter('t1')).toBe('continuum.episode.v1.t1.*');
    expect(episodeSubjectFilter('t1', '>')).toBe('continuum.episode.v1.t1.>');
    expect(dlqSubjectFilter('_invalid', '_invalid')).toBe(dlqSubject('_invalid', '_invalid'));
    expect(usageCode(() => episodeSubjectFilter('>'))).toBe(ERROR_CODES.INVALID_ID);
    expect(usageCode(() => episodeSubjectFilter('_invalid'))).toBe(ERROR_CODES.INVALID_ID);
    expect(usageCode(() => episodeSubjectFilter('t.1'))).toBe(ERROR_CODES.INVALID_ID);
  });
  it('every key a tenant owns starts with its tenant prefix; another tenant never does', () => {
    fc.assert(
      fc.property(scopedId, scopedId, ulid, scopedId, (t, other, e, a) => {
        for (const key of [presenceKey(t, a, 'p'), rateLimitKey(t, a, 'r'), cacheKey(t, e, a)]) {
          expect(key.startsWith(tenantKeyPrefix(t))).toBe(true);
          if (other !== t) expect(key.startsWith(tenantKeyPrefix(other))).toBe(false);
        }
      }),
    );
    expect(usageCode(() => tenantKeyPrefix('*'))).toBe(ERROR_CODES.INVALID_ID);
  });
  it('PROJECTION_TABLES names every table of x-projection once', () => {
    expect(Object.values(PROJECTION_TABLES).sort()).toEqual(Object.keys(CONTRACT.projection.tables).sort());
  });
});
