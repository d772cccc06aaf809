import { finding } from './finding.js';
import { showChange } from './json-utils.js';
import { classifyLeaves, leafChanges } from './leaf-changes.js';
import type { RuleModule } from './rule-module.js';

/**
 * projection: PostgreSQL tables, columns and keys. The projector writes rows (and the migration
 * adds what is missing to existing tables); dashboards, audits and serving read them.
 */
export const projectionRules: RuleModule = ({ base, head, sourceOf }) => {
  const changes = leafChanges(base.doc['x-projection'], head.doc['x-projection'], '/x-projection');
  const findings = classifyLeaves(changes, 'projection', sourceOf, (c) => {
    const at = { category: 'projection' as const, pointer: c.pointer, before: c.before, after: c.after };
    const [section, table, part, column, field] = c.path;
    if (section === 'migration')
      return finding({ ...at, rule: 'projection.migration-moved', reason: 'migration file path changed' });
    if (section !== 'tables' || table === undefined) return undefined;
    if (part === undefined) {
      return c.action === 'add'
        ? finding({
            ...at,
            rule: 'projection.table-added',
            reason: `table ${table} added: the migration creates it; nothing existing reads or writes it`,
          })
        : finding({
            ...at,
            rule: 'projection.table-removed',
            breaks: ['reader'],
            reason: `table ${table} removed: existing readers query it`,
          });
    }
    if (part === 'added')
      return finding({
        ...at,
        rule: 'projection.doc',
        classification: 'doc-only',
        reason: "'added' marks what the migration adds; a note, not a schema change",
      });
    if (part === 'primary_key')
      return finding({
        ...at,
        rule: 'projection.key-changed',
        breaks: ['reader', 'writer'],
        reason: `primary key of ${table} changed (${showChange(c.before, c.after)}): the upsert/dedup conflict target and existing rows change`,
      });
    if (part !== 'columns' || column === undefined) return undefined;
    const col = (c.after ?? c.before) as Record<string, unknown>;
    if (field === undefined) {
      if (c.action === 'add') {
        const safe = col.nullable === true || col.default !== undefined;
        return finding({
          ...at,
          rule: 'projection.column-added',
          breaks: safe ? [] : ['writer'],
          reason: safe
            ? `column ${table}.${column} added, nullable or defaulted: existing rows and inserts stay valid`
            : `column ${table}.${column} added NOT NULL without a default: existing rows and existing writers' inserts fail`,
        });
      }
      return finding({
        ...at,
        rule: 'projection.column-removed',
        breaks: ['reader'],
        reason: `column ${table}.${column} removed: existing readers select it`,
      });
    }
    if (field === 'added')
      return finding({
        ...at,
        rule: 'projection.doc',
        classification: 'doc-only',
        reason: "'added' marks what the migration adds; a note, not a schema change",
      });
    if (field === 'type')
      return finding({
        ...at,
        rule: 'projection.column-type-changed',
        breaks: ['reader', 'writer'],
        reason: `column ${table}.${column} type changed (${showChange(c.before, c.after)}): existing writers' inserts and readers' queries assume the old type`,
      });
    if (field === 'nullable') {
      return c.after === true
        ? finding({
            ...at,
            rule: 'projection.column-nullable',
            breaks: ['reader'],
            reason: `column ${table}.${column} may now be NULL: existing readers assume a value`,
          })
        : finding({
            ...at,
            rule: 'projection.column-not-null',
            breaks: ['writer'],
            reason: `column ${table}.${column} now NOT NULL: existing rows and writers storing NULL fail`,
          });
    }
    if (field === 'default') {
      const strict = c.action === 'remove' && col.nullable === false;
      return finding({
        ...at,
        rule: 'projection.column-default-changed',
        breaks: strict ? ['writer'] : [],
        reason: strict
          ? `default of NOT NULL column ${table}.${column} removed: existing inserts that omit it fail`
          : `default of ${table}.${column} changed (${showChange(c.before, c.after)}): only rows inserted without a value see it`,
      });
    }
    return undefined;
  });
  return { findings, owns: ['/x-projection'] };
};
