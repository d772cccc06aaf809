/**
 * What the transport-security checks need to probe a deployment, ours or anyone's: the bus URL and
 * credentials as files (the same NatsCredential the CLI builds from --nats-creds / --nats-tls-*).
 */
import type { NatsCredential } from '../../harness/security/nats-credential.js';
import { CONTRACT } from 'continuum-contract';

export type { NatsCredential };

/** The clauses these checks report on. */
export type SecurityClauseId = 'CT-7.transport-auth' | 'CT-7.tenant-isolation' | 'CT-6.fail-closed';

/** One check's verdict, in the shape the conformance runner collects. */
export interface SecurityCheckResult {
  clauseId: SecurityClauseId;
  /** Short stable name of the check, e.g. 'cross-tenant-publish'. */
  check: string;
  ok: boolean;
  /** What was tried and what the server answered; on failure, what would have to change. */
  detail: string;
}

/** A deployment under test. */
export interface SecurityTarget {
  /** nats:// or tls:// URL of the bus ingress. */
  url: string;
  /**
   * CA that signed the server certificate. The no-credentials attempt trusts it, so that only the
   * missing client credential can explain a refusal (default: tenant A's `tls.caFile`).
   */
  caFile?: string;
  /**
   * The tenant whose credential is used to probe. `observer`: a credential that reads tenant A's
   * subjects where they are apart from B's (an account per tenant); default the target's observer.
   */
  tenantA: { tenantId: string; credential: NatsCredential; observer?: NatsCredential };
  /** The tenant whose subjects tenant A must not reach; with a credential, B -> A is probed too. */
  tenantB: { tenantId: string; credential?: NatsCredential };
  /** A credential allowed to read tenant B's subjects (the projector's): enables the delivery check. */
  observer?: NatsCredential;
  /** Agent id used in probe subjects (default 'conformance-probe'). */
  agentId?: string;
  /** Episode stream name (default CONTINUUM_EPISODES). */
  stream?: string;
  /** Per-request wait for a server answer (default 5000 ms). */
  timeoutMs?: number;
}

/** Defaults of the optional target fields, merged in one place. */
export function withDefaults(
  t: SecurityTarget,
): Required<Omit<SecurityTarget, 'observer' | 'caFile'>> & Pick<SecurityTarget, 'observer' | 'caFile'> {
  return {
    agentId: 'conformance-probe',
    stream: CONTRACT.streams.episodes.name,
    timeoutMs: 5_000,
    ...t,
    caFile: t.caFile ?? t.tenantA.credential.tls?.caFile,
  };
}
