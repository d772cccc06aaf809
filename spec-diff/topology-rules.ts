import { type Finding, finding, ptr } from './finding.js';
import { isObject, showChange, unionKeys } from './json-utils.js';
import { type LeafChange, classifyLeaves, leafChanges } from './leaf-changes.js';
import type { LoadedSpec } from './load-spec.js';
import type { RuleInput, RuleModule } from './rule-module.js';
import { consumerRule, streamRule } from './stream-rules.js';
import { subjectCoverage } from './subject-coverage.js';

const record = (value: unknown): Record<string, unknown> => (isObject(value) ? value : {});
const origin = (spec: LoadedSpec, node: unknown): string | undefined =>
  isObject(node) ? spec.origins.get(node) : undefined;

function channels(input: RuleInput, findings: Finding[], owns: string[]): void {
  const { base, head, sourceOf } = input;
  const bc = record(base.doc.channels);
  const hc = record(head.doc.channels);
  for (const id of unionKeys(bc, hc)) {
    const pointer = ptr('channels', id);
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
    if (b.address !== h.address) {
      const shape = (a: unknown) => String(a).replace(/\{[^}]*\}/g, '{}');
      const renamed = shape(b.address) === shape(h.address);
      findings.push(
        finding({
          category: 'topology',
          rule: renamed ? 'topology.address-parameter-renamed' : 'topology.address-changed',
          pointer: `${pointer}/address`,
          source: sourceOf(`${pointer}/address`),
          breaks: renamed ? [] : ['reader', 'writer'],
          before: b.address,
          after: h.address,
          reason: renamed
            ? 'only parameter names in the address changed; every concrete subject is the same'
            : `subject pattern changed (${showChange(b.address, h.address)}): existing writers publish on, and existing readers subscribe to, the old subjects`,
        }),
      );
    }
    findings.push(
      ...classifyLeaves(
        leafChanges(b.parameters, h.parameters, `${pointer}/parameters`),
        'topology',
        sourceOf,
        parameterRule,
      ),
    );
    findings.push(
      ...classifyLeaves(
        leafChanges(b['x-jetstream'], h['x-jetstream'], `${pointer}/x-jetstream`),
        'topology',
        sourceOf,
        streamRule,
      ),
    );
    const bm = record(b.messages);
    const hm = record(h.messages);
    for (const m of unionKeys(bm, hm).filter((m) => !(m in bm) || !(m in hm))) {
      const at = ptr('channels', id, 'messages', m);
      owns.push(at);
      const added = m in hm;
      findings.push(
        finding({
          category: 'topology',
          rule: added ? 'topology.message-added' : 'topology.message-removed',
          pointer: at,
          source: sourceOf(at),
          breaks: added ? ['reader'] : ['writer'],
          reason: added
            ? `message '${m}' added to '${id}': new writers may send it and existing readers do not know it`
            : `message '${m}' removed from '${id}': existing writers still send it and new readers reject it`,
        }),
      );
    }
  }
}

function parameterRule(c: LeafChange): Finding | undefined {
  const at = { category: 'topology' as const, pointer: c.pointer, before: c.before, after: c.after };
  if (c.path.length === 1) {
    return finding({
      ...at,
      rule:
        c.action === 'add'
          ? 'topology.parameter-added'
          : c.action === 'remove'
            ? 'topology.parameter-removed'
            : 'topology.parameter-changed',
      breaks: ['reader', 'writer'],
      reason: `subject parameter '${c.path[0]}' ${c.action === 'add' ? 'added' : c.action === 'remove' ? 'removed' : 'changed'}: the subject shape changes for writers and readers`,
    });
  }
  return undefined;
}

function operations(input: RuleInput, findings: Finding[], owns: string[]): void {
  const { base, head, sourceOf } = input;
  const bo = record(base.doc.operations);
  const ho = record(head.doc.operations);
  for (const id of unionKeys(bo, ho)) {
    const pointer = ptr('operations', id);
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
    if (bch !== hch) {
      findings.push(
        finding({
          category: 'topology',
          rule: 'topology.operation-channel-changed',
          pointer: `${pointer}/channel`,
          source: sourceOf(`${pointer}/channel`),
          breaks: ['reader', 'writer'],
          before: bch,
          after: hch,
          reason: `operation '${id}' moved to another channel`,
        }),
      );
    }
    const bmsg = (Array.isArray(b.messages) ? b.messages : []).map((m) => origin(base, m));
    const hmsg = (Array.isArray(h.messages) ? h.messages : []).map((m) => origin(head, m));
    for (const m of hmsg.filter((m) => !bmsg.includes(m))) {
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
    for (const m of bmsg.filter((m) => !hmsg.includes(m))) {
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

function security(input: RuleInput, findings: Finding[], owns: string[]): void {
  owns.push('/x-security');
  const changes = leafChanges(input.base.doc['x-security'], input.head.doc['x-security'], '/x-security');
  findings.push(
    ...classifyLeaves(changes, 'topology', input.sourceOf, (c) => {
      if (c.path[0] !== 'permissions' || c.path.length !== 3) return undefined;
      const before = Array.isArray(c.before) ? (c.before as string[]) : [];
      const after = Array.isArray(c.after) ? (c.after as string[]) : [];
      const removed = before.filter((s) => !after.includes(s));
      const at = { category: 'topology' as const, pointer: c.pointer, before: c.before, after: c.after };
      return removed.length > 0
        ? finding({
            ...at,
            rule: 'topology.permission-removed',
            breaks: [c.path[1] === 'producer' ? 'writer' : 'reader'],
            reason: `${c.path[1]} may no longer ${c.path[2]} on ${removed.join(', ')}: existing deployments doing so are refused`,
          })
        : finding({
            ...at,
            rule: 'topology.permission-added',
            reason: `${c.path[1]} may also ${c.path[2]} on ${after.filter((s) => !before.includes(s)).join(', ')}: nothing existing is refused (review the tenant isolation, CT-7.tenant-isolation)`,
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
