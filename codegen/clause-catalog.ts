import { Ajv } from 'ajv';
import { SpecParseError } from './spec-source.js';

/** How a clause is judged (`x-clauses.*.check`). */
export const CLAUSE_CHECKS = ['validator', 'conformance', 'slo', 'documented'] as const;

/** Which implementation a clause binds (`x-clauses.*.side`); explained in the spec's info.description. */
export const CLAUSE_SIDES = ['producer', 'projector', 'both', 'deployment'] as const;

/** The shape every entry of `x-clauses` must have; codegen emits it as typed metadata. */
const CATALOG_SCHEMA = {
  type: 'object',
  minProperties: 1,
  propertyNames: { pattern: '^CT-[0-9]+\\.[a-z0-9_.-]+$' },
  additionalProperties: {
    type: 'object',
    required: ['section', 'title', 'text', 'check', 'side'],
    additionalProperties: false,
    properties: {
      section: { type: 'integer', minimum: 1 },
      title: { type: 'string', minLength: 1 },
      text: { type: 'string', minLength: 1 },
      check: { enum: CLAUSE_CHECKS },
      side: { enum: CLAUSE_SIDES },
    },
  },
} as const;

const validateCatalog = new Ajv({ allErrors: true }).compile(CATALOG_SCHEMA);

/**
 * Throws {@link SpecParseError} listing every entry of `x-clauses` that lacks a field, has an
 * unknown one, or a `check`/`side` outside its set: reports and run selection read these.
 */
export function checkClauseCatalog(spec: Record<string, unknown>): void {
  if (validateCatalog(spec['x-clauses'])) return;
  throw new SpecParseError(
    (validateCatalog.errors ?? []).map((e) => ({
      severity: 'error' as const,
      code: `x-clauses-${e.keyword}`,
      message: `${e.message ?? 'invalid'} ${JSON.stringify(e.params)}`,
      path: `x-clauses${e.instancePath}`,
    })),
  );
}
