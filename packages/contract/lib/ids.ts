import { CONTRACT } from './contract.js';
import { ContractUsageError, ERROR_CODES } from './errors.js';

// Patterns come from schemas/defs.schema.json via the generated contract constants.
const SCOPED_ID = new RegExp(CONTRACT.ids.scoped_id.pattern);
const ULID = new RegExp(CONTRACT.ids.ulid.pattern);
const UUIDV7 = new RegExp(CONTRACT.ids.uuidv7.pattern);

/** A tenant_id / agent_id / key name: 1-64 of [a-z0-9_-], starting alphanumeric. */
export function isScopedId(value: unknown): value is string {
  return typeof value === 'string' && SCOPED_ID.test(value);
}

/** A canonical ULID (upper-case Crockford base32, first char 0-7). */
export function isUlid(value: unknown): value is string {
  return typeof value === 'string' && ULID.test(value);
}

/** A canonical ULID or canonical UUIDv7. */
export function isEventId(value: unknown): value is string {
  return typeof value === 'string' && (ULID.test(value) || UUIDV7.test(value));
}

/** Throws ContractUsageError('INVALID_ID') unless `check(value)`; `what` names the argument. */
export function requireId(value: unknown, check: (v: unknown) => v is string, what: string): string {
  if (!check(value)) {
    throw new ContractUsageError(
      ERROR_CODES.INVALID_ID,
      `${what} ${JSON.stringify(value)} is outside the contract's format`,
    );
  }
  return value;
}
