import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import YAML from 'yaml';

const ROOT = new URL('../../', import.meta.url);
const SCHEMA_BASE = 'https://schemas.arqon.dev/continuum/v1/';

/**
 * Compiles one schema of driver/openapi.yaml's components with ajv, resolving its '../schemas/'
 * references to the contract's JSON Schemas, so tests check responses against the protocol file.
 */
export function driverSchema(name: string): ValidateFunction {
  const text = readFileSync(new URL('driver/openapi.yaml', ROOT), 'utf8').replaceAll(
    '../schemas/',
    SCHEMA_BASE,
  );
  const doc = YAML.parse(text) as { components: { schemas: Record<string, unknown> } };
  const ajv = new Ajv({ strict: false, allErrors: true });
  for (const n of ['defs', 'backfill-request']) {
    ajv.addSchema(JSON.parse(readFileSync(new URL(`schemas/${n}.schema.json`, ROOT), 'utf8')) as object);
  }
  ajv.addSchema({ $id: 'driver', components: doc.components });
  return ajv.compile({ $ref: `driver#/components/schemas/${name}` });
}
