import { CONTRACT, EPISODE_SUBJECT_PREFIX } from 'continuum-contract';
import type { EventObject } from './event-spec.js';
import type { ScheduleMessage } from './schedule.js';

/** Levels of the deep body: far past any recursion limit, still within the size limit. */
export const POISON_DEPTH = 10_000;
/** Unknown keys of the wide event. */
const WIDE_KEYS = 2_000;

const nested = (levels: number): string => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;

function withEventId(e: EventObject, last: { ulid: string; uuid: string }): EventObject {
  const id = e.event_id;
  return { ...e, event_id: `${id.slice(0, -1)}${id.includes('-') ? last.uuid : last.ulid}` };
}

/**
 * Messages that break consumers which recurse, serialise or store without bounds (CT-4.poison),
 * all on `base`'s subject: a body nested {@link POISON_DEPTH} deep and a valid event with a deep
 * unknown field (both refused as CT-3.size, nesting past x-limits.max_nesting_depth), and a
 * valid event with thousands of unknown keys, one holding U+0000 and one a lone surrogate,
 * which must be projected (unknown fields are ignored, CT-3.unknown-fields). `wide` must carry
 * an event id of its own, greater instant than its episode's others (see forge()).
 */
export function poisonMessages(base: EventObject, wide: EventObject): ScheduleMessage[] {
  const subject = `${EPISODE_SUBJECT_PREFIX}${base.tenant_id}.${base.agent_id}`;
  const deepField = JSON.stringify(withEventId(wide, { ulid: 'X', uuid: 'd' }));
  const wideFields = Array.from({ length: WIDE_KEYS }, (_, i) => `"ck_w${i}":${i}`).join(',');
  const wideData = `${JSON.stringify(wide).slice(0, -1)},${wideFields},"ck_nul":"a\\u0000b","ck_lone":"\\ud800"}`;
  const max = CONTRACT.limits.max_nesting_depth;
  return [
    {
      kind: 'invalid',
      subject,
      data: nested(POISON_DEPTH),
      expectClause: 'CT-3.size',
      label: `body nested ${POISON_DEPTH} deep (bound ${max})`,
    },
    {
      kind: 'invalid',
      subject,
      data: `${deepField.slice(0, -1)},"ck_deep":${nested(POISON_DEPTH / 2)}}`,
      expectClause: 'CT-3.size',
      label: `valid event with an unknown field nested ${POISON_DEPTH / 2} deep`,
    },
    {
      kind: 'valid',
      subject,
      msgId: `${wide.tenant_id}:${wide.agent_id}:${wide.event_id}`,
      data: wideData,
      label: `valid event with ${WIDE_KEYS} unknown fields, U+0000 and a lone surrogate among them`,
    },
  ];
}
