import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** A database created for one run; `drop()` removes it (forcing out any sessions). */
export interface FreshDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

async function adminQuery(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 5000 });
  client.on('error', () => {});
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end().catch(() => {});
  }
}

/** The same server URL pointing at database `name`. */
export function withDatabase(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Creates `ck_<random>` on the server behind `serverUrl` (tests isolate on a shared server this way). */
export async function createFreshDatabase(serverUrl: string): Promise<FreshDatabase> {
  const name = `ck_${randomBytes(6).toString('hex')}`;
  await adminQuery(serverUrl, `CREATE DATABASE "${name}"`);
  return {
    name,
    url: withDatabase(serverUrl, name),
    drop: () => adminQuery(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}
