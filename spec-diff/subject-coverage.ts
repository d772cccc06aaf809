import { type Finding, finding, ptr } from './finding.js';
import { isObject } from './json-utils.js';
import type { LoadedSpec } from './load-spec.js';
import type { RuleInput } from './rule-module.js';

const record = (value: unknown): Record<string, unknown> => (isObject(value) ? value : {});

/** The NATS subject filter a channel address stands for: each `{parameter}` token becomes `*`. */
export function addressFilter(address: string): string {
  return address
    .split('.')
    .map((token) => (token.includes('{') ? '*' : token))
    .join('.');
}

/**
 * True when every subject matching `inner` also matches `outer` (NATS wildcards: `*` one token,
 * `>` one or more trailing tokens).
 */
export function subjectCovers(outer: string, inner: string): boolean {
  const o = outer.split('.');
  const i = inner.split('.');
  for (let k = 0; k < o.length; k++) {
    if (o[k] === '>') return i.length > k;
    if (k >= i.length) return false;
    if (i[k] === '>') return false;
    if (o[k] !== '*' && o[k] !== i[k]) return false;
  }
  return o.length === i.length;
}

interface Gap {
  channel: string;
  address: string;
  /** `stream`: no stream subject captures the address; `consumer`: an operation's filter misses it. */
  kind: 'stream' | 'consumer';
  operation?: string;
  subjects: string[];
}

function gaps(spec: LoadedSpec): Gap[] {
  const { doc } = spec;
  const out: Gap[] = [];
  const channels = record(doc.channels);
  for (const [id, raw] of Object.entries(channels)) {
    const channel = record(raw);
    if (typeof channel.address !== 'string') continue;
    const filter = addressFilter(channel.address);
    const subjects = record(channel['x-jetstream']).subjects;
    if (Array.isArray(subjects) && !subjects.some((s) => subjectCovers(String(s), filter)))
      out.push({ channel: id, address: channel.address, kind: 'stream', subjects: subjects.map(String) });
  }
  for (const [op, raw] of Object.entries(record(doc.operations))) {
    const operation = record(raw);
    const filterSubject = record(operation['x-consumer']).filter_subject;
    const channel = record(operation.channel);
    if (typeof filterSubject !== 'string' || typeof channel.address !== 'string') continue;
    const origin = spec.origins.get(channel) ?? '';
    const id = /#\/channels\/([^/]+)$/.exec(origin)?.[1] ?? channel.address;
    if (!subjectCovers(filterSubject, addressFilter(channel.address)))
      out.push({
        channel: id,
        address: channel.address,
        kind: 'consumer',
        operation: op,
        subjects: [filterSubject],
      });
  }
  return out;
}

const key = (g: Gap) => `${g.kind}|${g.channel}|${g.operation ?? ''}`;

/**
 * topology: a channel address (or stream subjects, or consumer filter) changed so that the
 * head's JetStream stream no longer captures the channel's subjects, or a receiving operation's
 * consumer filter no longer matches them. Reported only where the base was consistent.
 */
export function subjectCoverage({ base, head, sourceOf }: RuleInput): Finding[] {
  const before = new Set(gaps(base).map(key));
  return gaps(head)
    .filter((g) => !before.has(key(g)))
    .map((g) => {
      const pointer =
        g.kind === 'stream'
          ? ptr('channels', g.channel, 'x-jetstream', 'subjects')
          : ptr('operations', g.operation ?? '', 'x-consumer', 'filter_subject');
      return finding({
        category: 'topology',
        rule: g.kind === 'stream' ? 'topology.address-not-captured' : 'topology.address-not-consumed',
        pointer,
        source: sourceOf(pointer),
        breaks: g.kind === 'stream' ? ['writer', 'reader'] : ['reader'],
        before: g.address,
        after: g.subjects,
        reason:
          g.kind === 'stream'
            ? `channel '${g.channel}' publishes on ${g.address} (${addressFilter(g.address)}), which no subject of its stream (${g.subjects.join(', ')}) captures: publishes get no JetStream ack and nothing reaches readers`
            : `operation '${g.operation ?? ''}' consumes with filter ${g.subjects.join(', ')}, which does not match channel '${g.channel}' at ${g.address}: the projector receives none of its messages`,
      });
    });
}
