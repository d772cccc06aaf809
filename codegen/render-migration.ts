import { generatedHeader } from './header.js';
import type { SpecSource } from './spec-source.js';

interface ColumnSpec {
  type: string;
  nullable: boolean;
  default?: string | boolean | number;
  added?: boolean;
  description?: string;
}

interface TableSpec {
  primary_key: string[];
  added?: boolean;
  columns: Record<string, ColumnSpec>;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;
/** Arbitrary fixed key: concurrent provisioners serialize on it instead of racing on pg_type. */
const MIGRATION_LOCK_KEY = 7_203_114_001;

function ident(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`x-projection: '${name}' is not a plain SQL identifier`);
  return name;
}

function columnSql(name: string, column: ColumnSpec): string {
  let sql = `${ident(name)} ${column.type}`;
  if (!column.nullable) sql += ' NOT NULL';
  if (column.default !== undefined) sql += ` DEFAULT ${String(column.default)}`;
  return sql;
}

/**
 * Renders generated/migration.sql from x-projection. Idempotent: CREATE TABLE IF NOT EXISTS with
 * every column, then ADD COLUMN IF NOT EXISTS for the columns marked `added` (deployments that
 * predate them); all in one transaction holding an advisory lock, so running it twice or from
 * two provisioners at once is safe.
 */
export function renderMigration(source: SpecSource): string {
  const projection = source.spec['x-projection'] as { tables: Record<string, TableSpec> } | undefined;
  if (!projection?.tables) throw new Error('asyncapi.yaml lacks x-projection.tables');
  const parts: string[] = ['BEGIN;', `SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY});`, ''];
  for (const [table, spec] of Object.entries(projection.tables)) {
    const columns = Object.entries(spec.columns).map(([name, column]) => {
      const note = column.description ? ` -- ${column.description.replace(/\s+/g, ' ')}` : '';
      return { sql: `  ${columnSql(name, column)}`, note };
    });
    const lines = columns.map((c) => `${c.sql},${c.note}`);
    lines.push(`  PRIMARY KEY (${spec.primary_key.map(ident).join(', ')})`);
    parts.push(
      `-- ${table}${spec.added ? ' (added by the contract)' : ' (deployed by the bus side; names kept)'}`,
      `CREATE TABLE IF NOT EXISTS ${ident(table)} (`,
      ...lines,
      ');',
    );
    for (const [name, column] of Object.entries(spec.columns)) {
      if (column.added && !spec.added) {
        parts.push(`ALTER TABLE ${ident(table)} ADD COLUMN IF NOT EXISTS ${columnSql(name, column)};`);
      }
    }
    parts.push('');
  }
  parts.push('COMMIT;', '');
  return `${generatedHeader('--', source.hash)}\n${parts.join('\n')}`;
}
