/**
 * CT-7.tenant-isolation, writes: tenant A's credential is refused on tenant B's episode and DLQ
 * subjects, while A's own episode subject is accepted (the positive control: a bus that refuses
 * everything must not pass). Probes carry a wrong expected-last-sequence header, so a deployment
 * that wrongly lets them through still stores nothing in the stream.
 */
import { episodeSubject, dlqSubject } from 'continuum-contract';
import type { NatsCredential } from '../../harness/security/nats-credential.js';
import { closeQuietly, probeConnect, probePublish } from './probe.js';
import { withDefaults } from './security-target.js';
import type { SecurityCheckResult, SecurityTarget } from './security-target.js';

/** Probes A -> B (and B -> A when B's credential is given). */
export async function checkCrossTenantPublish(target: SecurityTarget): Promise<SecurityCheckResult> {
  const t = withDefaults(target);
  const lines: string[] = [];
  let ok = await probeDirection(t.url, t.tenantA, t.tenantB.tenantId, t.agentId, t.timeoutMs, lines);
  if (t.tenantB.credential) {
    const b = { tenantId: t.tenantB.tenantId, credential: t.tenantB.credential };
    ok = (await probeDirection(t.url, b, t.tenantA.tenantId, t.agentId, t.timeoutMs, lines)) && ok;
  }
  return { clauseId: 'CT-7.tenant-isolation', check: 'cross-tenant-publish', ok, detail: lines.join('; ') };
}

async function probeDirection(
  url: string,
  from: { tenantId: string; credential: NatsCredential },
  victim: string,
  agentId: string,
  timeoutMs: number,
  lines: string[],
): Promise<boolean> {
  const who = `${from.tenantId} (${from.credential.identity})`;
  const conn = await probeConnect(url, from.credential, timeoutMs);
  if (!conn.ok) {
    lines.push(`${who} cannot connect: ${conn.error}`);
    return false;
  }
  try {
    let ok = true;
    const own = episodeSubject(from.tenantId, agentId);
    const control = await probePublish(conn.nc, own, from.credential.identity, timeoutMs);
    if (control.kind === 'accepted') lines.push(`${who} -> own ${own}: accepted`);
    else {
      ok = false;
      lines.push(`${who} -> own ${own}: ${control.kind} (${control.error}); positive control failed`);
    }
    for (const subject of [episodeSubject(victim, agentId), dlqSubject(victim, agentId)]) {
      const out = await probePublish(conn.nc, subject, from.credential.identity, timeoutMs);
      if (out.kind === 'refused') lines.push(`${who} -> ${subject}: refused`);
      else {
        ok = false;
        const what = out.kind === 'accepted' ? `ACCEPTED, ${out.answer}` : `${out.kind} (${out.error})`;
        lines.push(`${who} -> ${subject}: ${what}; must be a permissions violation`);
      }
    }
    return ok;
  } finally {
    await closeQuietly(conn.nc);
  }
}
