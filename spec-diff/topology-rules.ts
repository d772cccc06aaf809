import { type Finding, finding, ptr } from './finding.js';
import { isObject, showChange, unionKeys } from './json-utils.js';
import { classifyLeaves, leafChanges } from './leaf-changes.js';
import type { LoadedSpec } from './load-spec.js';
import type { RuleInput, RuleModule } from './rule-module.js';
import { addressAndParameters, componentMessageRenames } from './channel-parts.js';
import { consumerRule, streamRule } from './stream-rules.js';
import { channelIdentity, messageIdentity, operationIdentity, pairRenames } from './renames.js';
import { addressFilter, subjectCoverage, subjectCovers } from './subject-coverage.js';

const record = (value: unknown): Record<string, unknown> => (isObject(value) ? value : {});
const origin = (spec: LoadedSpec, node: unknown): string | undefined =>
  isObject(node) ? spec.origins.get(node) : undefined;

/** The dedup key readers apply on both sides (x-delivery.dedup_key), printed; undefined when either side has none. */
function readersDedup({ base, head }: RuleInput): string | undefined {
  const key = (spec: LoadedSpec) => record(spec.doc['x-delivery']).dedup_key;
  const b = key(base);
  const h = key(head);
  if (!Array.isArray(b) || b.length === 0 || !Array.isArray(h) || h.length === 0) return undefined;
  return `(${h.map(String).join(', ')})`;
}

function channels(input: RuleInput, findings: Finding[], owns: string[]): void {
  const { base, head, sourceOf } = input;
  const bc = record(base.doc.channels);
  const hc = record(head.doc.channels);
  const renamedMessages = new Set<string>();
  const renamedChannels = pairRenames(
    Object.keys(bc).filter((c) => !(c in hc)),
    Object.keys(hc).filter((c) => !(c in bc)),
    { base: (c) => channelIdentity(bc[c]), head: (c) => channelIdentity(hc[c]) },
  );
  for (const [from, to] of renamedChannels) {
    const pointer = ptr('channels', to);
    owns.push(ptr('channels', from), pointer);
    findings.push(
      finding({
        category: 'topology',
        rule: 'topology.channel-renamed',
        pointer,
        source: sourceOf(pointer),
        before: from,
        after: to,
        reason: `channel '${from}' renamed to '${to}': address, parameters, messages, bindings and stream are equal, so writers publish and readers subscribe exactly as before (generated names may change)`,
      }),
    );
  }
  for (const id of unionKeys(bc, hc)) {
    const pointer = ptr('channels', id);
    if (renamedChannels.some(([from, to]) => id === from || id === to)) continue;
    if (!(id in hc) || !(id in bc)) {
      owns.push(pointer);
      const added = id in hc;
      findings.push(
        finding({
          category: 'topology',
          rule: added ? 'topology.channel-added' : 'topology.channel-removed',
          pointer,
          source: sourceOf(pointer),
          breaks: added ? [] : ['reader', 'writer'],
          reason: added
            ? `channel '${id}' added: existing writers and readers do not use it`
            : `channel '${id}' removed: existing writers publish and existing readers subscribe there`,
        }),
      );
      continue;
    }
    const b = record(bc[id]);
    const h = record(hc[id]);
    owns.push(
      ptr('channels', id, 'address'),
      ptr('channels', id, 'parameters'),
      ptr('channels', id, 'x-jetstream'),
    );
    findings.push(...addressAndParameters(input, id, b, h));
    findings.push(
      ...classifyLeaves(
        leafChanges(b['x-jetstream'], h['x-jetstream'], `${pointer}/x-jetstream`),
        'topology',
        sourceOf,
        streamRule(readersDedup(input)),
      ),
    );
    const bm = record(b.messages);
    const hm = record(h.messages);
    const removed = Object.keys(bm).filter((m) => !(m in hm));
    const added = Object.keys(hm).filter((m) => !(m in bm));
    const renamed = pairRenames(removed, added, {
      base: (m) => messageIdentity(bm[m]),
      head: (m) => messageIdentity(hm[m]),
    });
    for (const [from, to] of renamed) {
      const at = ptr('channels', id, 'messages', to);
      owns.push(ptr('channels', id, 'messages', from), at);
      renamedMessages.add(messageIdentity(hm[to]));
      findings.push(
        finding({
          category: 'topology',
          rule: 'topology.message-renamed',
          pointer: at,
          source: sourceOf(at),
          before: from,
          after: to,
          reason: `message '${from}' of channel '${id}' renamed to '${to}': payload, headers and bindings are equal, so the bytes on the wire are the same for writers and readers (generated names may change)`,
        }),
      );
    }
    for (const m of [...removed, ...added]) {
      if (renamed.some(([from, to]) => m === from || m === to)) continue;
      const at = ptr('channels', id, 'messages', m);
      owns.push(at);
      const isAdded = m in hm;
      findings.push(
        finding({
          category: 'topology',
          rule: isAdded ? 'topology.message-added' : 'topology.message-removed',
          pointer: at,
          source: sourceOf(at),
          breaks: isAdded ? ['reader'] : ['writer'],
          reason: isAdded
            ? `message '${m}' added to '${id}': new writers may send it and existing readers do not know it`
            : `message '${m}' removed from '${id}': existing writers still send it and new readers reject it`,
        }),
      );
    }
  }
  findings.push(...componentMessageRenames(input, renamedMessages));
}

function operations(input: RuleInput, findings: Finding[], owns: string[]): void {
  const { base, head, sourceOf } = input;
  const bo = record(base.doc.operations);
  const ho = record(head.doc.operations);
  const renamed = pairRenames(
    Object.keys(bo).filter((o) => !(o in ho)),
    Object.keys(ho).filter((o) => !(o in bo)),
    { base: (o) => operationIdentity(bo[o]), head: (o) => operationIdentity(ho[o]) },
  );
  for (const [from, to] of renamed) {
    const pointer = ptr('operations', to);
    owns.push(ptr('operations', from), pointer);
    findings.push(
      finding({
        category: 'topology',
        rule: 'topology.operation-renamed',
        pointer,
        source: sourceOf(pointer),
        before: from,
        after: to,
        reason: `operation '${from}' renamed to '${to}': action, channel, messages, bindings and consumer are equal, so writers and readers do exactly what they did (generated names may change)`,
      }),
    );
  }
  for (const id of unionKeys(bo, ho)) {
    const pointer = ptr('operations', id);
    if (renamed.some(([from, to]) => id === from || id === to)) continue;
    if (!(id in ho) || !(id in bo)) {
      owns.push(pointer);
      const added = id in ho;
      findings.push(
        finding({
          category: 'topology',
          rule: added ? 'topology.operation-added' : 'topology.operation-removed',
          pointer,
          source: sourceOf(pointer),
          breaks: added ? [] : ['reader', 'writer'],
          reason: added
            ? `operation '${id}' added: a new obligation for new implementations only`
            : `operation '${id}' removed: existing implementations perform it and their counterparts rely on it`,
        }),
      );
      continue;
    }
    const b = record(bo[id]);
    const h = record(ho[id]);
    owns.push(`${pointer}/action`, `${pointer}/channel`, `${pointer}/messages`, `${pointer}/x-consumer`);
    if (b.action !== h.action) {
      findings.push(
        finding({
          category: 'topology',
          rule: 'topology.operation-action-changed',
          pointer: `${pointer}/action`,
          source: sourceOf(`${pointer}/action`),
          breaks: ['reader', 'writer'],
          before: b.action,
          after: h.action,
          reason: `operation '${id}' now ${String(h.action)}s instead of ${String(b.action)}ing`,
        }),
      );
    }
    const bch = origin(base, b.channel);
    const hch = origin(head, h.channel);
    // A renamed channel with the same content is the same channel.
    if (bch !== hch && channelIdentity(b.channel) !== channelIdentity(h.channel)) {
      findings.push(
        finding({
          category: 'topology',
          rule: 'topology.operation-channel-changed',
          pointer: `${pointer}/channel`,
          source: sourceOf(`${pointer}/channel`),
          breaks: ['reader', 'writer'],
          before: bch,
          after: hch,
          reason: `operation '${id}' moved to another channel: existing implementations still publish or subscribe on the old one`,
        }),
      );
    }
    // Messages are matched by what they carry, so a renamed message is the same message.
    // The same reference is the same message (its content is judged under wire); of the rest,
    // equal payload, headers and bindings make a renamed message the same message.
    const messagesOf = (spec: LoadedSpec, list: unknown) =>
      (Array.isArray(list) ? list : []).map((m) => ({ id: messageIdentity(m), name: origin(spec, m) }));
    const bAll = messagesOf(base, b.messages);
    const hAll = messagesOf(head, h.messages);
    const bList = bAll.filter((m) => !hAll.some((x) => x.name === m.name));
    const hList = hAll.filter((m) => !bAll.some((x) => x.name === m.name));
    const bmsg = bList.filter((m) => !hList.some((x) => x.id === m.id)).map((m) => m.name);
    const hmsg = hList.filter((m) => !bList.some((x) => x.id === m.id)).map((m) => m.name);
    for (const m of hmsg) {
      findings.push(
        finding({
          category: 'topology',
          rule: 'topology.operation-message-added',
          pointer: `${pointer}/messages`,
          source: sourceOf(`${pointer}/messages`),
          breaks: [h.action === 'receive' ? 'reader' : 'writer'],
          after: m,
          reason:
            h.action === 'receive'
              ? `operation '${id}' must now also receive ${String(m)}; existing receivers do not handle it`
              : `operation '${id}' may now also send ${String(m)}; existing receivers do not handle it`,
        }),
      );
    }
    for (const m of bmsg) {
      findings.push(
        finding({
          category: 'topology',
          rule: 'topology.operation-message-removed',
          pointer: `${pointer}/messages`,
          source: sourceOf(`${pointer}/messages`),
          breaks: ['reader', 'writer'],
          before: m,
          reason: `operation '${id}' no longer carries ${String(m)}; the counterpart relying on it breaks`,
        }),
      );
    }
    findings.push(
      ...classifyLeaves(
        leafChanges(b['x-consumer'], h['x-consumer'], `${pointer}/x-consumer`),
        'topology',
        sourceOf,
        consumerRule,
      ),
    );
  }
}

/** Subjects of `list` that no subject of `others` matches entirely. */
const uncovered = (list: string[], others: string[]): string[] =>
  list.filter((s) => !others.some((o) => subjectCovers(addressFilter(o), addressFilter(s))));

function security(input: RuleInput, findings: Finding[], owns: string[]): void {
  owns.push('/x-security');
  const changes = leafChanges(input.base.doc['x-security'], input.head.doc['x-security'], '/x-security');
  findings.push(
    ...classifyLeaves(changes, 'topology', input.sourceOf, (c) => {
      if (c.path[0] === 'threats')
        return finding({
          category: 'topology',
          rule: 'topology.doc',
          classification: 'doc-only',
          pointer: c.pointer,
          before: c.before,
          after: c.after,
          reason: 'threat notes explain the permissions and layout; they grant or refuse nothing',
        });
      if (c.path[0] !== 'permissions' || c.path.length !== 3) return undefined;
      const before = Array.isArray(c.before) ? c.before.map(String) : [];
      const after = Array.isArray(c.after) ? c.after.map(String) : [];
      // Subjects by what they match (NATS wildcards; a {placeholder} token as '*'), not as strings.
      const removed = uncovered(before, after);
      const added = uncovered(after, before);
      const at = { category: 'topology' as const, pointer: c.pointer, before: c.before, after: c.after };
      if (removed.length > 0)
        return finding({
          ...at,
          rule: 'topology.permission-removed',
          breaks: [c.path[1] === 'producer' ? 'writer' : 'reader'],
          reason: `${c.path[1]} may no longer ${c.path[2]} on ${removed.join(', ')} (no remaining subject matches it): existing deployments doing so are refused`,
        });
      return finding({
        ...at,
        rule: added.length > 0 ? 'topology.permission-added' : 'topology.permission-rewritten',
        reason:
          added.length > 0
            ? `${c.path[1]} may also ${c.path[2]} on ${added.join(', ')}: nothing existing is refused (review the tenant isolation, CT-7.tenant-isolation)`
            : `${c.path[1]} ${c.path[2]} permissions rewritten (${showChange(c.before, c.after)}) to match the same subjects: nothing is refused or newly allowed`,
      });
    }),
  );
}

/** topology: channels, subjects and parameters, streams, operations, consumer and permissions. */
export const topologyRules: RuleModule = (input) => {
  const findings: Finding[] = [];
  const owns: string[] = [];
  channels(input, findings, owns);
  findings.push(...subjectCoverage(input));
  operations(input, findings, owns);
  security(input, findings, owns);
  return { findings, owns };
};
