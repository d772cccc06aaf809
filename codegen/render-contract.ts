import { CLAUSE_CHECKS, CLAUSE_SIDES } from './clause-catalog.js';
import { generatedHeader } from './header.js';
import type { SpecSource } from './spec-source.js';

type Obj = Record<string, unknown>;

function at(root: unknown, ...keys: string[]): unknown {
  let node = root;
  for (const key of keys) {
    if (node === null || typeof node !== 'object' || !(key in node)) {
      throw new Error(`asyncapi.yaml lacks ${keys.join('.')}`);
    }
    node = (node as Obj)[key];
  }
  return node;
}

/** The constants lib/ and the harness read, straight from the spec's channels and x- extensions. */
export function contractConstants(source: SpecSource): Obj {
  const spec = source.spec;
  const defs = at(source.schemas, 'defs.schema.json', 'definitions') as Record<string, Obj>;
  const clauses = at(spec, 'x-clauses') as Record<string, Obj>;
  const headers = at(spec, 'components', 'schemas', 'EpisodeEventHeaders', 'properties') as Record<
    string,
    Obj
  >;
  return {
    specVersion: at(spec, 'info', 'version'),
    specHash: source.hash,
    subjects: {
      episode: at(spec, 'channels', 'episodeEvents', 'address'),
      dlq: at(spec, 'channels', 'episodeDlq', 'address'),
    },
    headers: {
      msgId: 'Nats-Msg-Id',
      msgIdPattern: at(headers, 'Nats-Msg-Id', 'pattern'),
      schemaVersion: 'Continuum-Schema-Version',
    },
    ids: Object.fromEntries(
      ['scoped_id', 'ulid', 'uuidv7', 'source_ts'].map((name) => [
        name,
        { pattern: at(defs, name, 'pattern'), maxLength: at(defs, name, 'maxLength') },
      ]),
    ),
    dlqReservedScope: '_invalid',
    streams: at(spec, 'components', 'x-streams'),
    consumer: at(spec, 'operations', 'projectEpisodeEvent', 'x-consumer'),
    limits: at(spec, 'x-limits'),
    unknownFields: at(spec, 'x-unknown-fields'),
    delivery: at(spec, 'x-delivery'),
    eventSemantics: at(spec, 'x-event-semantics'),
    projection: at(spec, 'x-projection'),
    valkey: at(spec, 'x-valkey'),
    slo: at(spec, 'x-slo'),
    rollout: at(spec, 'x-rollout'),
    exportPolicy: at(spec, 'x-export-policy'),
    failureSemantics: at(spec, 'x-failure-semantics'),
    security: at(spec, 'x-security'),
    replay: at(spec, 'x-replay'),
    reflexBoundary: at(spec, 'x-reflex-boundary'),
    clauses: Object.fromEntries(Object.entries(clauses).map(([id, clause]) => [id, { id, ...clause }])),
  };
}

/** Renders generated/contract.ts: `CONTRACT` (as const) and the migration SQL as `MIGRATION_SQL`. */
export function renderContract(source: SpecSource, migrationSql: string): string {
  const constants = JSON.stringify(contractConstants(source), null, 2);
  return [
    generatedHeader('//', source.hash),
    '/** Contract constants from asyncapi.yaml (channels, x- extensions, clauses). */',
    `export const CONTRACT = ${constants} as const;`,
    '',
    '/** The shape of CONTRACT. */',
    'export type Contract = typeof CONTRACT;',
    '',
    '/** Every clause ID of the spec (x-clauses): no clause ID is a bare string elsewhere. */',
    'export type ClauseId = keyof typeof CONTRACT.clauses;',
    '',
    '/** The clause IDs in spec order. */',
    'export const CLAUSE_IDS = Object.keys(CONTRACT.clauses) as ClauseId[];',
    '',
    '/** Whether a string is a clause ID of the spec. */',
    'export function isClauseId(id: string): id is ClauseId {',
    '  return Object.hasOwn(CONTRACT.clauses, id);',
    '}',
    '',
    '/** How a clause is judged: by the schemas, a conformance property, a measured SLO, or not at all. */',
    `export const CLAUSE_CHECKS = ${JSON.stringify(CLAUSE_CHECKS)} as const;`,
    '',
    '/** One of CLAUSE_CHECKS. */',
    'export type ClauseCheck = (typeof CLAUSE_CHECKS)[number];',
    '',
    '/** Which implementation a clause binds; `deployment`: none the kit tests (roles, rollout, Reflex). */',
    `export const CLAUSE_SIDES = ${JSON.stringify(CLAUSE_SIDES)} as const;`,
    '',
    '/** One of CLAUSE_SIDES. */',
    'export type ClauseSide = (typeof CLAUSE_SIDES)[number];',
    '',
    "/** One entry of the spec's x-clauses. */",
    'export interface Clause {',
    '  id: ClauseId;',
    '  section: number;',
    '  title: string;',
    '  text: string;',
    '  check: ClauseCheck;',
    '  side: ClauseSide;',
    '}',
    '',
    '/** Every clause of the spec by ID (x-clauses), typed; the same objects as CONTRACT.clauses. */',
    'export const CLAUSES: Readonly<Record<ClauseId, Readonly<Clause>>> = CONTRACT.clauses;',
    '',
    '/** generated/migration.sql: idempotent projection DDL (run by provisioning). */',
    `export const MIGRATION_SQL: string = ${JSON.stringify(migrationSql)};`,
    '',
  ].join('\n');
}
