/**
 * NATS decentralized-auth material made at run time with @nats-io/jwt and @nats-io/nkeys: an operator,
 * a system account, one application account with JetStream enabled, and one user JWT per identity
 * carrying that identity's publish/subscribe permissions, written as `.creds` files (0600).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  createAccount,
  createOperator,
  createUser,
  encodeAccount,
  encodeOperator,
  encodeUser,
  fmtCreds,
} from '@nats-io/jwt';
import type { SubjectPermissions } from './nats-permissions.js';

/** One user to issue. Without `permissions` the user may do anything in the account. */
export interface JwtUserRequest {
  name: string;
  permissions?: SubjectPermissions;
  /** The account to issue the user in (default 'CONTINUUM'); each gets its own JetStream. */
  account?: string;
}

/** What {@link generateJwtAuth} wrote. */
export interface JwtAuth {
  operatorJwtFile: string;
  systemAccount: string;
  /** Account public key -> account JWT, for `resolver_preload`. */
  accounts: Record<string, string>;
  /** The public key of the application account 'CONTINUUM' (made even when no user is in it). */
  account: string;
  /** Per user name: the `.creds` file and the user's public nkey (its identity on the server). */
  users: Record<string, { credsFile: string; publicKey: string }>;
}

// Unlimited, with JetStream on: an account JWT without storage limits has JetStream disabled.
const ACCOUNT_LIMITS = {
  subs: -1,
  data: -1,
  payload: -1,
  imports: -1,
  exports: -1,
  wildcards: true,
  conn: -1,
  leaf: -1,
  mem_storage: -1,
  disk_storage: -1,
  streams: -1,
  consumer: -1,
};

/** Issues the operator, accounts and users, and writes the operator JWT and creds files in `dir`. */
export async function generateJwtAuth(dir: string, users: JwtUserRequest[]): Promise<JwtAuth> {
  const operator = createOperator();
  const sys = createAccount();
  const operatorJwt = await encodeOperator('continuum-kit-test', operator, {
    system_account: sys.getPublicKey(),
  });
  const sysJwt = await encodeAccount('SYS', sys, {}, { signer: operator });
  const names = [...new Set(['CONTINUUM', ...users.map((u) => u.account ?? 'CONTINUUM')])];
  const apps = new Map(names.map((name) => [name, createAccount()]));
  const jwts: Record<string, string> = { [sys.getPublicKey()]: sysJwt };
  for (const [name, kp] of apps)
    jwts[kp.getPublicKey()] = await encodeAccount(name, kp, { limits: ACCOUNT_LIMITS }, { signer: operator });
  const operatorJwtFile = join(dir, 'operator.jwt');
  await writeFile(operatorJwtFile, operatorJwt, { mode: 0o600 });

  const out: JwtAuth['users'] = {};
  for (const u of users) {
    const kp = createUser();
    const perms = u.permissions
      ? { pub: { allow: u.permissions.publish, deny: [] }, sub: { allow: u.permissions.subscribe, deny: [] } }
      : {};
    const jwt = await encodeUser(u.name, kp, apps.get(u.account ?? 'CONTINUUM')!, perms);
    const credsFile = join(dir, `${u.name}.creds`);
    await writeFile(credsFile, fmtCreds(jwt, kp), { mode: 0o600 });
    out[u.name] = { credsFile, publicKey: kp.getPublicKey() };
  }
  return {
    operatorJwtFile,
    systemAccount: sys.getPublicKey(),
    accounts: jwts,
    account: apps.get('CONTINUUM')!.getPublicKey(),
    users: out,
  };
}

/**
 * A creds file for a user of an account the server has never seen, with the same name as a real
 * user: a forged credential that a closed deployment must refuse (CT-6.fail-closed).
 */
export async function generateUntrustedCreds(dir: string, name: string): Promise<string> {
  const stranger = createAccount();
  const kp = createUser();
  const jwt = await encodeUser(name, kp, stranger, {});
  const credsFile = join(dir, `untrusted-${name}.creds`);
  await writeFile(credsFile, fmtCreds(jwt, kp), { mode: 0o600 });
  return credsFile;
}
