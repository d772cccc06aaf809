import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  INBOX_PREFIXES,
  assertTenantId,
  producerInboxPrefix,
  producerPermissions,
  projectorPermissions,
  sharedInboxPermissions,
  tenantAccountName,
} from './nats-permissions.js';

interface XSecurity {
  inbox_prefixes: Record<'producer' | 'projector' | 'kit', string>;
  accounts: { account: string };
  permissions: Record<'producer' | 'projector', { publish: string[]; subscribe: string[] }>;
}

const spec = parse(readFileSync(new URL('../../asyncapi.yaml', import.meta.url), 'utf8')) as {
  'x-security': XSecurity;
};
const fromSpec = spec['x-security'].permissions;
const prefixes = spec['x-security'].inbox_prefixes;
const fill = (s: string): string => s.replace('{tenant_id}', 'acme-1');

describe('nats permissions', () => {
  it('producer permissions are the spec template with the tenant filled in', () => {
    const expected = {
      publish: fromSpec.producer.publish.map(fill),
      subscribe: fromSpec.producer.subscribe.map(fill),
    };
    expect(producerPermissions('acme-1')).toEqual(expected);
  });

  it('the tenant account is the spec template', () => {
    expect(tenantAccountName('acme-1')).toBe(fill(spec['x-security'].accounts.account));
  });

  it('inbox prefixes are the spec templates', () => {
    expect(producerInboxPrefix('acme-1')).toBe(fill(prefixes.producer));
    expect(INBOX_PREFIXES.projector).toBe(prefixes.projector);
    expect(INBOX_PREFIXES.kit).toBe(prefixes.kit);
  });

  it("a producer may subscribe only under its own inbox prefix, never another role's", () => {
    const mine = producerPermissions('acme-1').subscribe;
    expect(mine.every((s) => s.startsWith(`${producerInboxPrefix('acme-1')}.`))).toBe(true);
    for (const other of [
      producerInboxPrefix('acme-2'),
      INBOX_PREFIXES.projector,
      INBOX_PREFIXES.kit,
      '_INBOX',
    ])
      expect(mine.some((s) => s.startsWith(`${other}.`) || s === '>')).toBe(false);
  });

  it('the shared-inboxes weakening swaps the role inboxes for _INBOX.>', () => {
    expect(sharedInboxPermissions(projectorPermissions()).subscribe).toEqual([
      ...projectorPermissions().subscribe.filter((s) => !s.startsWith(INBOX_PREFIXES.projector)),
      '_INBOX.>',
    ]);
  });

  it('projector permissions equal the spec', () => {
    expect(projectorPermissions()).toEqual(fromSpec.projector);
  });

  it.each(['a.b', '*', '>', 'A', '', '_x', 'a"b', 'a b'])('rejects tenant id %j', (id) => {
    expect(() => assertTenantId(id)).toThrow(expect.objectContaining({ code: 'INVALID_ID' }));
  });
});
