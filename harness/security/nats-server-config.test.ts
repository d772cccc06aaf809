import { describe, expect, it } from 'vitest';
import { renderJwtConfig, renderMtlsConfig, renderNoAuthConfig } from './nats-server-config.js';
import { producerPermissions } from './nats-permissions.js';

const base = {
  port: 4333,
  storeDir: '/tmp/x/js',
  serverName: 'ck',
  tls: { certFile: '/tmp/x/s.pem', keyFile: '/tmp/x/s-key.pem', caFile: '/tmp/x/ca.pem' },
};

describe('nats-server configs', () => {
  it('mTLS maps certificate subjects to users with allow lists', () => {
    const text = renderMtlsConfig({
      ...base,
      users: [
        { subject: 'CN=continuum-producer-t1,O=continuum-kit', permissions: producerPermissions('t1') },
        { subject: 'CN=admin' },
      ],
    });
    expect(text).toContain('verify_and_map: true');
    expect(text).toContain('ca_file: "/tmp/x/ca.pem"');
    expect(text).toContain('listen: "127.0.0.1:4333"');
    expect(text).toContain(
      '{ user: "CN=continuum-producer-t1,O=continuum-kit", permissions: { publish: { allow: ["continuum.episode.v1.t1.>"] }, subscribe: { allow: ["_INBOX_PRODUCER.t1.>"] } } }',
    );
    expect(text).toContain('{ user: "CN=admin" }');
  });

  it('JWT mode preloads accounts into the memory resolver and does not verify client certificates', () => {
    const text = renderJwtConfig({
      ...base,
      operatorJwtFile: '/tmp/x/op.jwt',
      systemAccount: 'ASYS',
      accounts: { ASYS: 'jwt-sys', AAPP: 'jwt-app' },
    });
    expect(text).toContain('resolver: MEMORY');
    expect(text).toContain('  AAPP: "jwt-app"');
    expect(text).toContain('system_account: "ASYS"');
    expect(text).not.toContain('verify');
  });

  it('the no-auth config has neither users nor an operator', () => {
    const text = renderNoAuthConfig(base);
    expect(text).not.toMatch(/authorization|operator|verify/);
  });
});
