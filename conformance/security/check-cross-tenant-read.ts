/**
 * CT-7.tenant-isolation, reads: tenant A's credential cannot subscribe to tenant B's subjects (nor
 * to wildcards covering them) and cannot read B's messages through the JetStream API. The positive
 * control is a subscription on A's own reply inbox, which the producer needs for publish acks.
 */
import { episodeSubject, episodeSubjectFilter, dlqSubjectFilter } from 'continuum-contract';
import { createInbox } from '@nats-io/transport-node';
import { closeQuietly, probeConnect, probePublish, probeSubscribe } from './probe.js';
import { withDefaults } from './security-target.js';
import type { SecurityCheckResult, SecurityTarget } from './security-target.js';

/** Subscribes and reads with A's credential where only B (or everyone) may. */
export async function checkCrossTenantRead(target: SecurityTarget): Promise<SecurityCheckResult> {
  const t = withDefaults(target);
  const result = (ok: boolean, detail: string): SecurityCheckResult => ({
    clauseId: 'CT-7.tenant-isolation',
    check: 'cross-tenant-read',
    ok,
    detail,
  });
  const a = t.tenantA.credential;
  const b = t.tenantB.tenantId;
  const conn = await probeConnect(t.url, a, t.timeoutMs);
  if (!conn.ok) return result(false, `tenant A (${a.identity}) cannot connect: ${conn.error}`);
  const nc = conn.nc;
  try {
    const lines: string[] = [];
    let ok = true;
    const control = await probeSubscribe(nc, createInbox(a.inboxPrefix), a.identity);
    if (control.kind !== 'accepted') {
      ok = false;
      lines.push(
        `subscribe own inbox (${a.inboxPrefix ?? '_INBOX'}): ${control.kind}; positive control failed`,
      );
    }
    const victimSubjects = [
      episodeSubjectFilter(b, '>'),
      episodeSubject(b, t.agentId),
      dlqSubjectFilter(b, '>'),
      episodeSubjectFilter(),
      '>',
    ];
    for (const subject of victimSubjects) {
      const out = await probeSubscribe(nc, subject, a.identity);
      if (out.kind === 'refused') lines.push(`subscribe ${subject}: refused`);
      else {
        ok = false;
        lines.push(
          `subscribe ${subject}: ${out.kind === 'accepted' ? 'ACCEPTED' : out.error}; must be a permissions violation`,
        );
      }
    }
    const api = `$JS.API.STREAM.MSG.GET.${t.stream}`;
    const body = JSON.stringify({ last_by_subj: episodeSubject(b, t.agentId) });
    const get = await probePublish(nc, api, a.identity, t.timeoutMs, body);
    if (get.kind === 'refused') lines.push(`read via ${api}: refused`);
    else {
      ok = false;
      const what = get.kind === 'accepted' ? `ACCEPTED, ${get.answer}` : `${get.kind} (${get.error})`;
      lines.push(`read via ${api}: ${what}; a producer must not reach the JetStream API`);
    }
    return result(ok, lines.join('; '));
  } finally {
    await closeQuietly(nc);
  }
}
