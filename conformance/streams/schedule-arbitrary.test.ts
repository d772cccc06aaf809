import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeEpisodeEvent, parseEpisodeSubject } from 'continuum-contract';
import { PROJECTOR_PROPERTIES } from '../properties/catalog.js';
import { bindSchedule, freshBinding } from './bind-schedule.js';
import { scheduleArbitrary } from './schedule-arbitrary.js';
import { scheduleMessages } from './schedule.js';

describe('schedules say the truth about every message', () => {
  for (const def of PROJECTOR_PROPERTIES) {
    it(`${def.name}: valid messages validate on their own subject, invalid ones do not, mismatches differ from their subject`, () => {
      fc.assert(
        fc.property(scheduleArbitrary(def.name, def.profile), (schedule) => {
          const bound = bindSchedule(schedule, freshBinding());
          for (const m of scheduleMessages(bound)) {
            const decoded = decodeEpisodeEvent(m.data, 'consumer');
            const scope = parseEpisodeSubject(m.subject);
            expect(scope.ok || m.kind === 'invalid').toBe(true);
            if (m.kind === 'invalid') expect(decoded.ok).toBe(false);
            else {
              expect(decoded.ok, JSON.stringify(decoded)).toBe(true);
              if (!decoded.ok || !scope.ok) return;
              const same =
                decoded.value.tenant_id === scope.tenantId && decoded.value.agent_id === scope.agentId;
              expect(same).toBe(m.kind === 'valid');
            }
          }
          expect(bound.steps.at(-1)?.op).toBe('settle');
        }),
        { numRuns: 30, seed: 1 },
      );
    });
  }
});

describe('broker dedup only ever drops true copies', () => {
  for (const def of PROJECTOR_PROPERTIES) {
    it(`${def.name}: messages that share a Nats-Msg-Id carry the same bytes on the same subject`, () => {
      fc.assert(
        fc.property(scheduleArbitrary(def.name, def.profile), (schedule) => {
          const byMsgId = new Map<string, { subject: string; data: string }>();
          for (const m of scheduleMessages(bindSchedule(schedule, freshBinding()))) {
            if (m.msgId === undefined) continue;
            const first = byMsgId.get(m.msgId);
            if (first === undefined) byMsgId.set(m.msgId, { subject: m.subject, data: m.data });
            else expect({ subject: m.subject, data: m.data }, m.msgId).toEqual(first);
          }
        }),
        { numRuns: 200, seed: 509054940 },
      );
    });
  }
});
