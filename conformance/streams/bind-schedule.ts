import { randomBytes } from 'node:crypto';
import type { IdBinding, Schedule, ScheduleStep } from './schedule.js';

/**
 * Placeholder ids used while generating. They are valid scoped ids, long and distinctive, so a
 * plain string replacement cannot hit anything else in a body (bodies never contain '~').
 */
export const TENANTS = ['cktenant0x', 'cktenant1x', 'cktenant2x'] as const;
export const AGENTS = ['ckagent0x', 'ckagent1x'] as const;

/** A fresh random token: lower-case, so ids built from it stay inside the scoped-id format. */
export function freshToken(): string {
  return `ck${randomBytes(5).toString('hex')}`;
}

/** Fresh ids for every placeholder: `{token}-t0`, `{token}-a1`, ... */
export function freshBinding(token: string = freshToken()): IdBinding {
  const ids: Record<string, string> = {};
  TENANTS.forEach((p, i) => (ids[p] = `${token}-t${i}`));
  AGENTS.forEach((p, i) => (ids[p] = `${token}-a${i}`));
  return { token, ids };
}

function substitute(text: string, binding: IdBinding): string {
  let out = text;
  for (const [placeholder, id] of Object.entries(binding.ids)) {
    out = out.replaceAll(placeholder, id).replaceAll(placeholder.toUpperCase(), id.toUpperCase());
  }
  return out;
}

/** The schedule with every placeholder replaced by its fresh id (subjects, msg ids, bodies). */
export function bindSchedule(schedule: Schedule, binding: IdBinding): Schedule {
  const steps: ScheduleStep[] = schedule.steps.map((step) => {
    if (step.op !== 'publish') return step;
    const m = step.message;
    return {
      op: 'publish',
      message: {
        ...m,
        subject: substitute(m.subject, binding),
        data: substitute(m.data, binding),
        ...(m.msgId === undefined ? {} : { msgId: substitute(m.msgId, binding) }),
      },
    };
  });
  return { property: schedule.property, steps };
}
