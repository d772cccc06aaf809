import {
  TypeScriptGenerator,
  typeScriptDefaultPropertyKeyConstraints,
  type ConstrainedMetaModel,
  type TypeScriptTypeMapping,
} from '@asyncapi/modelina';
import { dereference } from './deref.js';
import { generatedHeader } from './header.js';
import type { SpecSource } from './spec-source.js';

/** Schema files whose title names a wire type in generated/types.ts. */
export const TYPE_SCHEMAS = [
  'episode-event.schema.json',
  'episode-payload.schema.json',
  'dlq-entry.schema.json',
  'cache-entry.schema.json',
  'backfill-request.schema.json',
  'audit-entry.schema.json',
] as const;

function nullable(model: ConstrainedMetaModel, type: string): string {
  return model.options.isNullable === true ? `${type} | null` : type;
}

/** A numeric `const` is its literal type (`schema_version: 1`), not `number`. */
const numberOrConst: TypeScriptTypeMapping['Integer'] = ({ constrainedModel }) => {
  const pinned = (constrainedModel.originalInput as { const?: unknown } | undefined)?.const;
  return nullable(constrainedModel, typeof pinned === 'number' ? String(pinned) : 'number');
};

/**
 * Modelina's mapping for the kinds below is replaced (its defaults are not exported at run time)
 * so the types are as strict as the schema: a numeric const is a literal, and a union repeats no
 * member (ULID | UUIDv7 is `string` once; nullable scalars give one `null`).
 */
const STRICT_TYPE_MAPPING: Partial<TypeScriptTypeMapping> = {
  Integer: numberOrConst,
  Float: numberOrConst,
  Union: ({ constrainedModel }) => {
    const members = constrainedModel.union.flatMap((member) => member.type.split(' | '));
    return [...new Set(nullable(constrainedModel, members.join(' | ')).split(' | '))].join(' | ');
  },
};

/**
 * Renders generated/types.ts with Modelina: interfaces with the wire's snake_case property
 * names kept exactly (the naming formatter is the identity), unions for enums.
 */
export async function renderTypes(source: SpecSource): Promise<string> {
  const generator = new TypeScriptGenerator({
    modelType: 'interface',
    enumType: 'union',
    mapType: 'record',
    typeMapping: STRICT_TYPE_MAPPING,
    constraints: {
      propertyKey: typeScriptDefaultPropertyKeyConstraints({ NAMING_FORMATTER: (name: string) => name }),
    },
  });
  const models = new Map<string, string>();
  for (const file of TYPE_SCHEMAS) {
    for (const model of await generator.generate(dereference(source.schemas, file))) {
      const previous = models.get(model.modelName);
      if (previous !== undefined && previous !== model.result) {
        throw new Error(`Modelina produced two different models named ${model.modelName}`);
      }
      models.set(model.modelName, model.result);
    }
  }
  const body = [...models.keys()]
    .sort()
    .map((name) => `export ${models.get(name) ?? ''}`)
    .join('\n\n');
  return `${generatedHeader('//', source.hash)}\n${body}\n`;
}
