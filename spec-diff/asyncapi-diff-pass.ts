import { diff } from '@asyncapi/diff';
import { isDocChange } from './doc-keys.js';
import { type Category, type Finding, finding } from './finding.js';
import { isObject, showChange } from './json-utils.js';
import type { LoadedSpec } from './load-spec.js';

/**
 * Everything the rule modules do not own goes through @asyncapi/diff's standard (servers,
 * security, bindings, content types, message names, ...). Its gaps are fixed here: doc keys
 * are doc-only (it calls them non-breaking or, deeper down, unclassified), `unclassified`
 * counts as breaking so nothing unknown passes, and `info.version` is left to the version check.
 * Components are judged where channels and operations use them, after dereferencing.
 */
export function asyncapiDiffPass(
  base: LoadedSpec,
  head: LoadedSpec,
  owns: readonly string[],
  sourceOf: (p: string) => string,
): Finding[] {
  const skip = ['/components', '/info/version', ...owns];
  const b = netView(base, skip);
  const h = netView(head, skip);
  let changes;
  try {
    changes = diff(b, h, {
      override: { '/asyncapi': { add: 'non-breaking', remove: 'breaking', edit: 'non-breaking' } },
    }).getOutput();
  } catch (cause) {
    return [
      finding({
        category: 'info',
        rule: 'info.asyncapi-major-changed',
        pointer: '/asyncapi',
        source: sourceOf('/asyncapi'),
        breaks: ['reader', 'writer'],
        before: b.asyncapi,
        after: h.asyncapi,
        reason: `AsyncAPI major version changed; @asyncapi/diff refuses to compare (${(cause as Error).message})`,
      }),
    ];
  }
  if (typeof changes === 'string') return [];
  return changes.changes.map((c) => {
    const at = {
      category: categoryOf(c.path),
      pointer: c.path,
      source: sourceOf(c.path),
      before: c.before,
      after: c.after,
    };
    if (isDocChange(c.path, c.before, c.after) || c.path.startsWith('/info/')) {
      return finding({
        ...at,
        rule: `${at.category}.doc`,
        classification: 'doc-only',
        reason: 'documentation only',
      });
    }
    if (c.type === 'non-breaking') {
      return finding({
        ...at,
        rule: `asyncapi.${c.action}`,
        reason: `${c.action} ${showChange(c.before, c.after)}: non-breaking by the @asyncapi/diff standard`,
      });
    }
    const why =
      c.type === 'breaking'
        ? 'breaking by the @asyncapi/diff standard, assumed to break both writers and readers'
        : 'unclassified by @asyncapi/diff and no rule here proves it compatible, so it is treated as breaking for writers and readers';
    return finding({
      ...at,
      rule: `asyncapi.${c.action}`,
      breaks: ['reader', 'writer'],
      reason: `${c.action} ${showChange(c.before, c.after)}: ${why}`,
    });
  });
}

const EXTENSION_CATEGORY: Record<string, Category> = { 'x-security': 'topology', 'x-limits': 'wire' };

function categoryOf(pointer: string): Category {
  const top = pointer.split('/')[1] ?? '';
  if (top === 'channels' || top === 'operations' || top === 'servers')
    return pointer.endsWith('/contentType') ? 'wire' : 'topology';
  if (top === 'defaultContentType') return 'wire';
  if (top === 'info' || top === 'id' || top === 'asyncapi') return 'info';
  return EXTENSION_CATEGORY[top] ?? 'other';
}

/** A copy with owned subtrees removed and same-document references (outside components) kept as their target. */
function netView(spec: LoadedSpec, skip: readonly string[]): Record<string, unknown> {
  const internal = `${spec.source.entry}#`;
  const walk = (node: unknown, pointer: string): unknown => {
    if (Array.isArray(node)) return node.map((item, i) => walk(item, `${pointer}/${i}`));
    if (!isObject(node)) return node;
    const origin = pointer === '' ? undefined : spec.origins.get(node);
    if (origin?.startsWith(internal) && !origin.startsWith(`${internal}/components/`))
      return origin.slice(spec.source.entry.length);
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      const at = `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      if (!skip.includes(at)) out[key] = walk(value, at);
    }
    return out;
  };
  return walk(spec.doc, '') as Record<string, unknown>;
}
