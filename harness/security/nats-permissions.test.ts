import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { assertTenantId, producerPermissions, projectorPermissions } from './nats-permissions.js';

interface XSecurity {
  permissions: Record<'producer' | 'projector', { publish: string[]; subscribe: string[] }>;
}

const spec = parse(readFileSync(new URL('../../asyncapi.yaml', import.meta.url), 'utf8')) as {
  'x-security': XSecurity;
};
const fromSpec = spec['x-security'].permissions;

describe('nats permissions', () => {
  it('producer permissions are the spec template with the tenant filled in', () => {
    const expected = {
      publish: fromSpec.producer.publish.map((s) => s.replace('{tenant_id}', 'acme-1')),
      subscribe: fromSpec.producer.subscribe,
    };
    expect(producerPermissions('acme-1')).toEqual(expected);
  });

  it('projector permissions equal the spec', () => {
    expect(projectorPermissions()).toEqual(fromSpec.projector);
  });

  it.each(['a.b', '*', '>', 'A', '', '_x', 'a"b', 'a b'])('rejects tenant id %j', (id) => {
    expect(() => assertTenantId(id)).toThrow(expect.objectContaining({ code: 'INVALID_ID' }));
  });
});
