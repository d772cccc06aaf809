import type Database from 'better-sqlite3';
import pg from 'pg';
import { PRODUCER_ERROR_CODES, ProducerError } from './errors.js';
import { PROJECTION_TABLES } from 'continuum-contract';

/** One control-plane action (schemas/audit-entry.schema.json). */
export interface AuditRecord {
  actor: string;
  action: 'backfill' | 'replay' | 'publish_refused';
  tenant_id?: string;
  agent_id?: string;
  params: Record<string, unknown>;
  outcome: 'ok' | 'dry_run' | 'refused' | 'failed';
  detail?: string;
  at: string;
}

/**
 * The replay/backfill audit trail (CT-7.audit): always the local SQLite `audit` table, and
 * arqonbus_continuum_audit in PostgreSQL when a URL is given. With PostgreSQL configured the
 * producer checks the table before acting, so an action it could not audit is refused instead.
 */
export class AuditLog {
  private readonly insert;
  private readonly selectAll;

  constructor(
    db: Database.Database,
    private readonly pgUrl?: string,
  ) {
    this.insert = db.prepare(
      `INSERT INTO audit (actor, action, tenant_id, agent_id, params, outcome, detail, at)
       VALUES (@actor, @action, @tenant_id, @agent_id, @params, @outcome, @detail, @at)`,
    );
    this.selectAll = db.prepare('SELECT * FROM audit ORDER BY audit_id');
  }

  /** Throws ProducerError AUDIT_UNAVAILABLE when PostgreSQL is configured but the audit table cannot be reached. */
  async check(): Promise<void> {
    if (!this.pgUrl) return;
    await this.withPg((c) => c.query(`SELECT 1 FROM ${PROJECTION_TABLES.audit} LIMIT 0`));
  }

  /** Writes the record locally, then to PostgreSQL when configured; returns the local audit id. */
  async record(r: AuditRecord, localOnly = false): Promise<number> {
    const id = Number(
      this.insert.run({
        ...r,
        tenant_id: r.tenant_id ?? null,
        agent_id: r.agent_id ?? null,
        detail: r.detail ?? null,
        params: JSON.stringify(r.params),
      }).lastInsertRowid,
    );
    if (this.pgUrl && !localOnly) {
      await this.withPg((c) =>
        c.query(
          `INSERT INTO ${PROJECTION_TABLES.audit} (actor, action, tenant_id, agent_id, params, outcome, detail, at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
          [
            r.actor,
            r.action,
            r.tenant_id ?? null,
            r.agent_id ?? null,
            JSON.stringify(r.params),
            r.outcome,
            r.detail ?? null,
            r.at,
          ],
        ),
      );
    }
    return id;
  }

  /** Every local audit row, oldest first (params parsed). */
  list(): (AuditRecord & { audit_id: number })[] {
    return (this.selectAll.all() as (AuditRecord & { audit_id: number; params: string })[]).map((r) => ({
      ...r,
      params: JSON.parse(r.params) as Record<string, unknown>,
    }));
  }

  private async withPg<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client({ connectionString: this.pgUrl, connectionTimeoutMillis: 5000 });
    try {
      await client.connect();
      return await fn(client);
    } catch (error) {
      throw new ProducerError(
        PRODUCER_ERROR_CODES.auditUnavailable,
        `audit table ${PROJECTION_TABLES.audit} not writable: ${String(error)}`,
        {
          cause: error,
        },
      );
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}
