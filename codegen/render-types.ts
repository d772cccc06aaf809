import { TypeScriptGenerator, typeScriptDefaultPropertyKeyConstraints } from '@asyncapi/modelina';
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

/**
 * Renders generated/types.ts with Modelina: interfaces with the wire's snake_case property
 * names kept exactly (the naming formatter is the identity), unions for enums.
 */
export async function renderTypes(source: SpecSource): Promise<string> {
  const generator = new TypeScriptGenerator({
    modelType: 'interface',
    enumType: 'union',
    mapType: 'record',
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
