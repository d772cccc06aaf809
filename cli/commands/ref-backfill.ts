import { existsSync } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import { AuditLog } from '../../harness/producer/audit-log.js';
import { runBackfill, type BackfillReport } from '../../harness/producer/backfill.js';
import { BusConnection } from '../../harness/producer/bus-connection.js';
import { EpisodeStore } from '../../harness/producer/episode-store.js';
import { ExportState } from '../../harness/producer/export-state.js';
import { osUser } from '../../harness/producer/os-user.js';
import { createLogger } from '../../harness/logger.js';
import { parseSourceTs, PROJECTION_TABLES } from 'continuum-contract';
import { EXIT } from '../exit-codes.js';
import { serviceUrlParser } from '../service-options.js';

interface BackfillFlags {
  fromTs?: string;
  toTs?: string;
  tenantId?: string;
  agentId?: string;
  dryRun?: boolean;
  db: string;
  nats: string;
  pg?: string;
  actor: string;
  format: 'text' | 'json';
  timeoutMs: number;
}

/** Strict boolean for `--dry-run [bool]`: a bare flag is true; only 'true' and 'false' are accepted as values. */
export function parseBooleanFlag(value: string): boolean {
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new InvalidArgumentError(`expected true or false, got '${value}'`);
}

/** A flag error (not a schema error) for a timestamp the contract would not accept as source_ts. */
function parseTimestampFlag(value: string): string {
  if (parseSourceTs(value) === undefined) {
    throw new InvalidArgumentError(`expected a UTC timestamp like 2026-11-24T10:00:00Z, got '${value}'`);
  }
  return value;
}

function parseFormat(value: string): 'text' | 'json' {
  if (value === 'text' || value === 'json') return value;
  throw new InvalidArgumentError(`expected text or json, got '${value}'`);
}

function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new InvalidArgumentError(`expected a positive integer, got '${value}'`);
  return n;
}

/** Registers `continuum-kit ref backfill`: replay a range of the producer's change-log. */
export function registerRefBackfill(ref: Command): void {
  ref
    .command('backfill')
    .description(
      'Republish exactly the change-log entries with from_ts <= source_ts < to_ts (idempotent downstream); audited',
    )
    .option('--from-ts <ts>', 'inclusive lower bound, UTC (2026-11-24T10:00:00Z)', parseTimestampFlag)
    .option('--to-ts <ts>', 'exclusive upper bound, UTC; must be after --from-ts', parseTimestampFlag)
    .option('--tenant-id <id>', 'only this tenant')
    .option('--agent-id <id>', 'only this agent')
    .option('--dry-run [bool]', 'publish nothing; report what would be sent', parseBooleanFlag)
    .option('--db <path>', 'the producer SQLite store', 'continuum-producer.sqlite')
    .option(
      '--nats <url>',
      'NATS URL (env NATS_URL)',
      serviceUrlParser('nats', 'nats://127.0.0.1:4222'),
      process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
    )
    .option(
      '--pg <url>',
      `also audit to ${PROJECTION_TABLES.audit} in this PostgreSQL (refused if not writable)`,
      serviceUrlParser('pg', 'postgres://postgres@127.0.0.1:5432/postgres'),
    )
    .option('--actor <name>', 'who to record in the audit log', osUser())
    .option('--format <fmt>', 'text or json', parseFormat, 'text')
    .option('--timeout-ms <ms>', 'give up on publishes not acked by then (exit 2)', parsePositiveInt, 30_000)
    .addHelpText(
      'after',
      `
Examples:
  $ continuum-kit ref backfill --from-ts 2026-11-24T00:00:00Z --to-ts 2026-11-25T00:00:00Z --dry-run --format json
  $ continuum-kit ref backfill --from-ts 2026-11-24T10:00:00Z --to-ts 2026-11-24T11:00:00Z --tenant-id acme \\
      --db ./continuum-producer.sqlite --nats nats://127.0.0.1:4222 --pg postgres://postgres@127.0.0.1/postgres

Exit codes: 0 done (or dry run), 2 bad parameters, missing store, bus or audit table unreachable.`,
    )
    .action(async (flags: BackfillFlags) => {
      process.exitCode = await backfillCommand(flags);
    });
}

async function backfillCommand(f: BackfillFlags): Promise<number> {
  const params = {
    ...(f.fromTs === undefined ? {} : { from_ts: f.fromTs }),
    ...(f.toTs === undefined ? {} : { to_ts: f.toTs }),
    ...(f.tenantId === undefined ? {} : { tenant_id: f.tenantId }),
    ...(f.agentId === undefined ? {} : { agent_id: f.agentId }),
    dry_run: f.dryRun ?? false,
  };
  if (!existsSync(f.db)) {
    process.stderr.write(`continuum-kit ref backfill: no producer store at ${f.db} (pass --db PATH)\n`);
    return EXIT.usage;
  }
  const logger = createLogger({ level: 'warn', name: 'ref-backfill' });
  const store = new EpisodeStore(f.db);
  const bus = new BusConnection(f.nats, logger);
  try {
    if (!params.dry_run) bus.connect();
    const result = await runBackfill(params, {
      store,
      state: new ExportState(store.db),
      audit: new AuditLog(store.db, f.pg),
      bus,
      actor: f.actor,
      deadlineMs: f.timeoutMs,
    });
    if (!result.ok) {
      process.stderr.write('continuum-kit ref backfill: bad parameters\n');
      for (const e of result.errors) process.stderr.write(`  ${e.path}: ${e.message} (${e.clauseId})\n`);
      return EXIT.usage;
    }
    process.stdout.write(
      f.format === 'json' ? `${JSON.stringify(result.report)}\n` : describe(result.report),
    );
    if (result.report.outcome === 'failed') {
      process.stderr.write(
        `continuum-kit ref backfill: ${result.report.unsent} events not acknowledged by ${f.nats} within ${f.timeoutMs} ms\n`,
      );
      return EXIT.usage;
    }
    return EXIT.ok;
  } catch (error) {
    process.stderr.write(
      `continuum-kit ref backfill: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return EXIT.usage;
  } finally {
    await bus.disconnect();
    await store.close();
  }
}

function describe(r: BackfillReport): string {
  const scope = [
    r.request.tenant_id && `tenant ${r.request.tenant_id}`,
    r.request.agent_id && `agent ${r.request.agent_id}`,
  ]
    .filter(Boolean)
    .join(', ');
  const head = `${r.dry_run ? 'dry run: ' : ''}${r.matched} change-log entries in [${r.request.from_ts}, ${r.request.to_ts})${scope ? ` for ${scope}` : ''}`;
  const body = r.dry_run
    ? `would publish ${r.to_publish}, ${r.blocked} blocked by policy, ${r.dlq} to the DLQ`
    : `published ${r.published} new, ${r.duplicates} dropped as duplicates, ${r.blocked} blocked by policy, ${r.dlq} to the DLQ, ${r.unsent} unsent`;
  const ids = r.first_event_ids.length ? `\nfirst event ids: ${r.first_event_ids.join(' ')}` : '';
  return `${head}\n${body}${ids}\naudit id ${r.audit_id}\n`;
}
