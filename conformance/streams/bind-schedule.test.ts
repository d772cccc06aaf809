import { describe, expect, it } from 'vitest';
import { bindSchedule, freshBinding, TENANTS } from './bind-schedule.js';

describe('bindSchedule', () => {
  it('replaces every placeholder (and its upper-case form) with fresh ids, differently each time', () => {
    const subject = `continuum.episode.v1.${TENANTS[0]}.x`;
    const schedule = {
      property: 'p',
      steps: [
        {
          op: 'publish' as const,
          message: { kind: 'invalid' as const, subject, data: `${TENANTS[0]} ${TENANTS[0].toUpperCase()}` },
        },
      ],
    };
    const a = bindSchedule(schedule, freshBinding());
    const b = bindSchedule(schedule, freshBinding());
    const ma = a.steps[0];
    const mb = b.steps[0];
    if (ma?.op !== 'publish' || mb?.op !== 'publish') throw new Error('unexpected');
    expect(ma.message.data).not.toContain(TENANTS[0]);
    expect(ma.message.data).not.toContain(TENANTS[0].toUpperCase());
    expect(ma.message.subject).not.toBe(mb.message.subject);
  });
});
