import { type Finding, finding } from './finding.js';
import { showChange } from './json-utils.js';
import { type LeafChange, numericChange } from './leaf-changes.js';
import { subjectCovers } from './subject-coverage.js';

/** Stream fields NATS cannot change on an existing stream, or whose change alters who gets what. */
const IMMUTABLE = new Set(['name', 'retention', 'storage', 'discard']);

/** Upper limits where lowering breaks someone, and who. */
const LIMITS: Record<string, { breaks: 'reader' | 'writer'; why: string }> = {
  duplicate_window_ms: {
    breaks: 'reader',
    why: "the exporter's retries beyond the shorter window are stored twice, and readers have no dedup key (x-delivery.dedup_key) to drop them (CT-3.msg-id)",
  },
  max_age_ms: {
    breaks: 'reader',
    why: 'replays and lagging projectors lose messages that used to still be in the stream',
  },
  max_msg_size: { breaks: 'writer', why: 'existing writers may publish messages the stream now refuses' },
  max_msgs: { breaks: 'reader', why: 'older messages are discarded sooner' },
  max_bytes: { breaks: 'reader', why: 'older messages are discarded sooner' },
  replicas: {
    breaks: 'writer',
    why: 'fewer copies: an acknowledged publish may be lost with a node (CT-6.export-retry)',
  },
  replicas_production: {
    breaks: 'writer',
    why: 'fewer copies: an acknowledged publish may be lost with a node (CT-6.export-retry)',
  },
};

/**
 * topology: the rule for leaf changes inside a channel's x-jetstream stream. `readersDedup` is
 * the dedup key both sides' readers apply (x-delivery.dedup_key), when they have one.
 */
export const streamRule =
  (readersDedup: string | undefined) =>
  (c: LeafChange): Finding | undefined =>
    streamChange(c, readersDedup);

function streamChange(c: LeafChange, readersDedup: string | undefined): Finding | undefined {
  const key = c.path[0] ?? '';
  const at = { category: 'topology' as const, pointer: c.pointer, before: c.before, after: c.after };
  if (c.path.length === 0) {
    return finding({
      ...at,
      rule: c.action === 'add' ? 'topology.stream-added' : 'topology.stream-removed',
      breaks: c.action === 'add' ? [] : ['reader', 'writer'],
      reason:
        c.action === 'add'
          ? 'channel now bound to a JetStream stream'
          : 'channel no longer bound to a stream: publishes are not persisted or acknowledged',
    });
  }
  if (IMMUTABLE.has(key)) {
    return finding({
      ...at,
      rule: `topology.stream-${key}-changed`,
      breaks: ['reader', 'writer'],
      reason: `stream ${key} changed (${showChange(c.before, c.after)}): an existing stream cannot be updated in place, and producers, consumers and replays bind to it`,
    });
  }
  if (key === 'subjects') {
    const before = Array.isArray(c.before) ? c.before.map(String) : [];
    const after = Array.isArray(c.after) ? c.after.map(String) : [];
    // By what they capture: a subject replaced by a wildcard that matches it is not removed.
    const removed = before.filter((s) => !after.some((a) => subjectCovers(a, s)));
    return removed.length > 0
      ? finding({
          ...at,
          rule: 'topology.stream-subjects-removed',
          breaks: ['writer'],
          reason: `stream no longer captures ${removed.join(', ')}: existing writers publishing there get no acknowledgement`,
        })
      : finding({
          ...at,
          rule: 'topology.stream-subjects-added',
          reason: `stream captures ${showChange(c.before, c.after)}: every subject it captured is still captured, so existing writers and readers are unaffected`,
        });
  }
  if (key === 'duplicate_window_ms' && c.path.length === 1 && readersDedup) {
    return numericChange(c, true) === 'tightened'
      ? finding({
          ...at,
          rule: 'topology.stream-dedup-window-lowered',
          reason: `stream duplicate window lowered (${showChange(c.before, c.after)}): an exporter retry after the window is stored twice, and readers drop the copy by the dedup key ${readersDedup} (x-delivery.dedup_key, CT-4.dedup), so no writer or reader breaks; only the broker's shortcut is shorter`,
        })
      : finding({
          ...at,
          rule: 'topology.stream-limit-loosened',
          reason: `stream duplicate window raised (${showChange(c.before, c.after)}): the broker drops more retries itself; readers dedup as before`,
        });
  }
  const limit = LIMITS[key];
  if (limit && c.path.length === 1) {
    return numericChange(c, true) === 'tightened'
      ? finding({
          ...at,
          rule: `topology.stream-limit-tightened`,
          breaks: [limit.breaks],
          reason: `stream ${key} lowered (${showChange(c.before, c.after)}): ${limit.why}`,
        })
      : finding({
          ...at,
          rule: `topology.stream-limit-loosened`,
          reason: `stream ${key} raised (${showChange(c.before, c.after)}): existing writers and readers keep working`,
        });
  }
  return undefined;
}

/** Consumer fields an existing durable cannot change, or that change what the projector receives. */
const CONSUMER_BINDING = new Set(['durable_name', 'ack_policy', 'deliver_policy', 'filter_subject']);

/** topology: one leaf change inside an operation's x-consumer. */
export function consumerRule(c: LeafChange): Finding | undefined {
  const key = c.path[0] ?? '';
  const at = { category: 'topology' as const, pointer: c.pointer, before: c.before, after: c.after };
  if (CONSUMER_BINDING.has(key)) {
    return finding({
      ...at,
      rule: 'topology.consumer-binding-changed',
      breaks: ['reader'],
      reason: `consumer ${key} changed (${showChange(c.before, c.after)}): existing projectors bind to the durable as it was, and NATS cannot change it in place`,
    });
  }
  if (key === 'ack_wait_ms' || key === 'max_ack_pending') {
    return finding({
      ...at,
      rule: 'topology.consumer-tuning-changed',
      reason: `consumer ${key} changed (${showChange(c.before, c.after)}): flow tuning within at-least-once delivery, which readers already handle`,
    });
  }
  return undefined;
}
