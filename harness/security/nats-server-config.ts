/**
 * nats-server configuration text for the secure test deployments. Pure functions: the caller writes
 * the text to a file and starts `nats-server -c FILE`. Strings are JSON-quoted, which the NATS config
 * parser reads as double-quoted strings.
 */
import type { SubjectPermissions } from './nats-permissions.js';

/** A user mapped from a client certificate subject (`tls.verify_and_map`). */
export interface MappedUser {
  /** The certificate subject in RFC 2253 form, e.g. `CN=producer-t1,O=continuum-kit`. */
  subject: string;
  /** Omitted: the user may publish and subscribe to anything (admin, or a deliberately open config). */
  permissions?: SubjectPermissions;
  /**
   * The account the user belongs to; each account has its own subjects, inboxes and JetStream
   * streams. Users without one share the server's default account.
   */
  account?: string;
}

/** Settings shared by both modes. */
export interface BaseConfig {
  port: number;
  storeDir: string;
  serverName: string;
  /** Server certificate; in mTLS mode the CA also verifies client certificates. */
  tls: { certFile: string; keyFile: string; caFile: string };
}

const q = (s: string): string => JSON.stringify(s);

function base(c: BaseConfig): string[] {
  return [
    `server_name: ${q(c.serverName)}`,
    `listen: "127.0.0.1:${c.port}"`,
    `jetstream { store_dir: ${q(c.storeDir)}, max_memory_store: 64MB, max_file_store: 1GB }`,
  ];
}

function permissionsBlock(p: SubjectPermissions): string {
  const list = (xs: string[]): string => `[${xs.map(q).join(', ')}]`;
  return `permissions: { publish: { allow: ${list(p.publish)} }, subscribe: { allow: ${list(p.subscribe)} } }`;
}

/**
 * mTLS: the server requires a client certificate signed by the CA and maps its subject to a user
 * (`verify_and_map`); a certificate whose subject names no user is refused.
 */
export function renderMtlsConfig(c: BaseConfig & { users: MappedUser[] }): string {
  const line = (u: MappedUser): string =>
    u.permissions
      ? `{ user: ${q(u.subject)}, ${permissionsBlock(u.permissions)} }`
      : `{ user: ${q(u.subject)} }`;
  const grouped = c.users.some((u) => u.account !== undefined);
  const auth = grouped
    ? accountsBlock(c.users, line)
    : ['authorization {', '  users: [', ...c.users.map((u) => `    ${line(u)}`), '  ]', '}'];
  return [
    ...base(c),
    'tls {',
    `  cert_file: ${q(c.tls.certFile)}`,
    `  key_file: ${q(c.tls.keyFile)}`,
    `  ca_file: ${q(c.tls.caFile)}`,
    '  verify_and_map: true',
    '  timeout: 2',
    '}',
    ...auth,
    '',
  ].join('\n');
}

/** One JetStream-enabled account per distinct `account`, each with its users. */
function accountsBlock(users: MappedUser[], line: (u: MappedUser) => string): string[] {
  const names = [...new Set(users.map((u) => u.account ?? 'DEFAULT_APP'))];
  return [
    'accounts {',
    ...names.flatMap((name) => [
      `  ${q(name)}: {`,
      '    jetstream: enabled',
      '    users: [',
      ...users.filter((u) => (u.account ?? 'DEFAULT_APP') === name).map((u) => `      ${line(u)}`),
      '    ]',
      '  }',
    ]),
    '}',
  ];
}

/**
 * NATS decentralized auth: an operator JWT, a system account, and account JWTs preloaded into the
 * memory resolver (nats-server 2.9 has no auth callout). TLS here only authenticates the server;
 * clients prove themselves with a user JWT signed by the account and an nkey signature.
 */
export function renderJwtConfig(
  c: BaseConfig & { operatorJwtFile: string; systemAccount: string; accounts: Record<string, string> },
): string {
  return [
    ...base(c),
    'tls {',
    `  cert_file: ${q(c.tls.certFile)}`,
    `  key_file: ${q(c.tls.keyFile)}`,
    '  timeout: 2',
    '}',
    `operator: ${q(c.operatorJwtFile)}`,
    `system_account: ${q(c.systemAccount)}`,
    'resolver: MEMORY',
    'resolver_preload: {',
    ...Object.entries(c.accounts).map(([pub, jwt]) => `  ${pub}: ${q(jwt)}`),
    '}',
    '',
  ].join('\n');
}

/** Server TLS without any client authentication: the deliberately open deployment ('no-auth'). */
export function renderNoAuthConfig(c: BaseConfig): string {
  return [
    ...base(c),
    'tls {',
    `  cert_file: ${q(c.tls.certFile)}`,
    `  key_file: ${q(c.tls.keyFile)}`,
    '  timeout: 2',
    '}',
    '',
  ].join('\n');
}
