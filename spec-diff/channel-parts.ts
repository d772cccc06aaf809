import { type Finding, finding, ptr } from './finding.js';
import { isObject, showChange } from './json-utils.js';
import { type LeafChange, classifyLeaves, leafChanges } from './leaf-changes.js';
import { addressParameters, addressShape, messageIdentity, pairRenames } from './renames.js';
import type { RuleInput } from './rule-module.js';

const record = (value: unknown): Record<string, unknown> => (isObject(value) ? value : {});

/**
 * The address and its parameters. Placeholders renamed in step with the parameters (same
 * shape, same parameter definitions) render the same subjects: one `parameter-renamed` finding.
 */
export function addressAndParameters(
  input: RuleInput,
  id: string,
  b: Record<string, unknown>,
  h: Record<string, unknown>,
): Finding[] {
  const { sourceOf } = input;
  const pointer = ptr('channels', id);
  const out: Finding[] = [];
  let headParameters = h.parameters;
  const baseNames = addressParameters(b.address);
  const headNames = addressParameters(h.address);
  const renames = baseNames
    .map((name, i) => [name, headNames[i] ?? ''] as const)
    .filter(([from, to]) => from !== to);
  const bp = record(b.parameters);
  const hp = record(h.parameters);
  // Renamed in step: each old name had a definition, and the new name has it now.
  const inStep = renames.every(
    ([from, to]) => from in bp && to in hp && (headNames.includes(from) || !(from in hp)),
  );
  if (b.address !== h.address && addressShape(b.address) === addressShape(h.address) && inStep) {
    const baseNameOf = (name: string) => renames.find(([, to]) => to === name)?.[0] ?? name;
    headParameters = Object.fromEntries(
      Object.entries(record(h.parameters)).map(([name, value]) => [baseNameOf(name), value]),
    );
    out.push(
      finding({
        category: 'topology',
        rule: 'topology.parameter-renamed',
        pointer: `${pointer}/address`,
        source: sourceOf(`${pointer}/address`),
        before: b.address,
        after: h.address,
        reason: `subject parameter(s) renamed (${renames.map(([from, to]) => `${from} -> ${to}`).join(', ')}) in the address and its parameters: every concrete subject is the same for writers and readers (any change to the parameter definitions is listed on its own)`,
      }),
    );
  } else if (b.address !== h.address) {
    out.push(
      finding({
        category: 'topology',
        rule: 'topology.address-changed',
        pointer: `${pointer}/address`,
        source: sourceOf(`${pointer}/address`),
        breaks: ['reader', 'writer'],
        before: b.address,
        after: h.address,
        reason: `subject pattern changed (${showChange(b.address, h.address)}): existing writers publish on, and existing readers subscribe to, the old subjects`,
      }),
    );
  }
  out.push(
    ...classifyLeaves(
      leafChanges(b.parameters, headParameters, `${pointer}/parameters`),
      'topology',
      sourceOf,
      parameterRule,
    ),
  );
  return out;
}

/** Messages renamed in `components.messages` only (channels keep their keys): one finding each. */
export function componentMessageRenames(input: RuleInput, alreadyReported: Set<string>): Finding[] {
  const bm = record(record(input.base.doc.components).messages);
  const hm = record(record(input.head.doc.components).messages);
  const pairs = pairRenames(
    Object.keys(bm).filter((m) => !(m in hm)),
    Object.keys(hm).filter((m) => !(m in bm)),
    { base: (m) => messageIdentity(bm[m]), head: (m) => messageIdentity(hm[m]) },
  );
  return pairs
    .filter(([, to]) => !alreadyReported.has(messageIdentity(hm[to])))
    .map(([from, to]) => {
      const pointer = ptr('components', 'messages', to);
      return finding({
        category: 'topology',
        rule: 'topology.message-renamed',
        pointer,
        source: input.sourceOf(pointer),
        before: from,
        after: to,
        reason: `message '${from}' renamed to '${to}' in components.messages: payload, headers and bindings are equal, so nothing changes on the wire (generated names may change)`,
      });
    });
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
