/**
 * A NATS client credential as files on disk, the same shape whether it came from our generated test
 * deployment or from a CLI user pointing at their own (--nats-creds, --nats-tls-cert/-key/-ca), and
 * its translation into @nats-io/transport-node connect options.
 */
import { readFileSync } from 'node:fs';
import { credsAuthenticator } from '@nats-io/transport-node';
import type { NodeConnectionOptions } from '@nats-io/transport-node';

/** Files that prove who a client is. Both parts are optional so that partial setups can be probed. */
export interface NatsCredential {
  /** Who this is, for messages and audit entries: certificate subject, user name or nkey. */
  identity: string;
  /** TLS: `caFile` trusts the server; `certFile` + `keyFile` are the client certificate (mTLS). */
  tls?: { caFile?: string; certFile?: string; keyFile?: string };
  /** NATS decentralized auth: a `.creds` file holding a user JWT and its nkey seed. */
  credsFile?: string;
  /**
   * Root of this identity's reply inboxes (nats.js `inboxPrefix`); the deployment lets only this
   * identity subscribe under it. Unset: the nats.js default `_INBOX`.
   */
  inboxPrefix?: string;
}

/**
 * Connect options for `connect()` from @nats-io/transport-node. Reconnects are off by default so a
 * refused credential fails fast instead of looping; pass `extra` to override anything.
 */
export function natsConnectOptions(
  url: string,
  credential: NatsCredential,
  extra: Partial<NodeConnectionOptions> = {},
): NodeConnectionOptions {
  const opts: NodeConnectionOptions = {
    servers: url,
    name: credential.identity,
    reconnect: false,
    timeout: 5_000,
  };
  if (credential.tls) {
    const { caFile, certFile, keyFile } = credential.tls;
    opts.tls = {
      ...(caFile ? { caFile } : {}),
      ...(certFile ? { certFile } : {}),
      ...(keyFile ? { keyFile } : {}),
    };
  }
  if (credential.inboxPrefix) opts.inboxPrefix = credential.inboxPrefix;
  if (credential.credsFile) {
    // Read at connect time, not now, so a rotated creds file is picked up on reconnect.
    const file = credential.credsFile;
    opts.authenticator = credsAuthenticator(() => readFileSync(file));
  }
  return { ...opts, ...extra };
}
