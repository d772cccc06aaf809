import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { isScopedId } from 'continuum-contract';
import {
  INBOX_PREFIXES,
  credentialFromFiles,
  producerInboxPrefix,
  type NatsCredential,
} from '../../harness/security/index.js';
import { runSecurityChecks, type SecurityTarget } from '../../conformance/security/index.js';
import { EXIT } from '../exit-codes.js';
import { addServiceOptions, toNatsConnectOptions, type ServiceCliOptions } from '../service-options.js';

interface SecurityFlags extends ServiceCliOptions {
  tenantA: string;
  tenantB: string;
  tenantBCreds?: string;
  tenantBTlsCert?: string;
  tenantBTlsKey?: string;
  observerCreds?: string;
  observerTlsCert?: string;
  observerTlsKey?: string;
  tenantAObserverCreds?: string;
  tenantAObserverTlsCert?: string;
  tenantAObserverTlsKey?: string;
  out: string;
  defaultInboxes?: boolean;
}

/** Registers `continuum-kit conformance security`: the transport checks against any deployment. */
export function registerConformanceSecurity(conformance: Command): void {
  const command = conformance
    .command('security')
    .description(
      'Check transport auth and per-tenant bus permissions of a deployment (CT-7, CT-6.fail-closed)',
    );
  addServiceOptions(command)
    .requiredOption('--tenant-a <id>', 'the tenant whose credential (--nats-creds or --nats-tls-*) probes')
    .requiredOption('--tenant-b <id>', 'another tenant, whose subjects tenant A must not reach')
    .option(
      '--tenant-b-creds <file>',
      "tenant B's .creds file (B -> A is probed too; B makes the probes' traffic)",
    )
    .option('--tenant-b-tls-cert <file>', "tenant B's client certificate")
    .option('--tenant-b-tls-key <file>', "tenant B's client key")
    .option('--observer-creds <file>', "a credential that may read tenant B's subjects (the projector's)")
    .option('--observer-tls-cert <file>', 'observer client certificate')
    .option('--observer-tls-key <file>', 'observer client key')
    .option(
      '--tenant-a-observer-creds <file>',
      "with an account per tenant: the projector credential of tenant A's account (reads where A's refused publish would land)",
    )
    .option('--tenant-a-observer-tls-cert <file>', "client certificate of tenant A's account projector")
    .option('--tenant-a-observer-tls-key <file>', "client key of tenant A's account projector")
    .option(
      '--default-inboxes',
      "connect every role on the nats.js default _INBOX root instead of the spec's inbox prefixes (to probe a deployment set up that way)",
    )
    .option('--out <dir>', 'where security.json goes', 'reports/conformance')
    .addHelpText(
      'after',
      `
Examples:
  # mTLS: client certificates of tenant A, tenant B and the projector, CA of the server
  $ continuum-kit conformance security --nats tls://bus:4222 --tenant-a acme --tenant-b globex \\
      --nats-tls-cert acme.crt --nats-tls-key acme.key --nats-tls-ca ca.crt \\
      --tenant-b-tls-cert globex.crt --tenant-b-tls-key globex.key \\
      --observer-tls-cert projector.crt --observer-tls-key projector.key
  # JWT over TLS, an account per tenant: .creds files, each account's projector, the server's CA
  $ continuum-kit conformance security --nats tls://bus:4222 --tenant-a acme --nats-creds acme.creds \\
      --tenant-b globex --tenant-b-creds globex.creds --observer-creds globex-projector.creds \\
      --tenant-a-observer-creds acme-projector.creds --nats-tls-ca ca.crt

Checks: connecting without credentials fails (CT-7.transport-auth); forged credentials are refused
(CT-6.fail-closed); tenant A can neither publish to nor read tenant B's subjects
(CT-7.tenant-isolation); while B publishes and the observer pulls B's events, A listens on every
inbox root and wildcard and must receive nothing; A publishing with B's Nats-Msg-Id must not
suppress B's event. Each role connects on its inbox prefix of asyncapi.yaml x-security
(_INBOX_PRODUCER.<tenant>, _INBOX_PROJECTOR). Publish probes carry an expected-sequence header
JetStream never matches; the inbox and msg-id probes store a few probe messages for tenant B's
agent conformance-probe and delete them afterwards (a projector running meanwhile may dead-letter them).
Exit status: 0 every check passed, 1 any failed, 2 usage or environment error.`,
    )
    .action(async (flags: SecurityFlags) => {
      process.exitCode = await security(flags);
    });
}

/**
 * Tenant B's or the observer's credential from its flags; the server's CA (--nats-tls-ca) goes
 * with it whether it is a certificate or a .creds file (JWT over TLS needs it too).
 */
function otherCredential(
  ca: string | undefined,
  creds?: string,
  cert?: string,
  key?: string,
): NatsCredential | undefined {
  if (creds === undefined && cert === undefined) return undefined;
  const tls = {
    ...(cert === undefined ? {} : { certFile: cert }),
    ...(key === undefined ? {} : { keyFile: key }),
    ...(ca === undefined ? {} : { caFile: ca }),
  };
  return credentialFromFiles({
    ...(creds === undefined ? {} : { credsFile: creds }),
    ...(Object.keys(tls).length === 0 ? {} : { tls }),
  });
}

async function security(f: SecurityFlags): Promise<number> {
  const url = f.nats ?? process.env.NATS_URL;
  const bad = [f.tenantA, f.tenantB].filter((t) => !isScopedId(t));
  if (url === undefined || bad.length > 0 || f.tenantA === f.tenantB) {
    process.stderr.write(
      `continuum-kit conformance security: ${url === undefined ? 'give --nats URL (or NATS_URL)' : bad.length > 0 ? `not a tenant id: ${bad.join(', ')}` : '--tenant-a and --tenant-b must differ'}\n`,
    );
    return EXIT.usage;
  }
  const tenantAFiles = toNatsConnectOptions(f);
  if (tenantAFiles.credsFile === undefined && tenantAFiles.tls?.certFile === undefined) {
    process.stderr.write(
      "continuum-kit conformance security: give tenant A's credential (--nats-creds, or --nats-tls-cert and --nats-tls-key)\n",
    );
    return EXIT.usage;
  }
  const tenantB = otherCredential(f.natsTlsCa, f.tenantBCreds, f.tenantBTlsCert, f.tenantBTlsKey);
  const observer = otherCredential(f.natsTlsCa, f.observerCreds, f.observerTlsCert, f.observerTlsKey);
  const observerA = otherCredential(
    f.natsTlsCa,
    f.tenantAObserverCreds,
    f.tenantAObserverTlsCert,
    f.tenantAObserverTlsKey,
  );
  if (tenantB === undefined || observer === undefined) {
    process.stderr.write(
      "continuum-kit conformance security: give tenant B's credential (--tenant-b-creds or --tenant-b-tls-*) and the projector's (--observer-creds or --observer-tls-*): the inbox and msg-id probes make traffic with them\n",
    );
    return EXIT.usage;
  }
  // Each role connects on its inbox prefix from the spec, as the deployment must allow.
  const inbox = (prefix: string) => (f.defaultInboxes === true ? {} : { inboxPrefix: prefix });
  const target: SecurityTarget = {
    url,
    tenantA: {
      tenantId: f.tenantA,
      credential: { ...credentialFromFiles(tenantAFiles), ...inbox(producerInboxPrefix(f.tenantA)) },
      ...(observerA === undefined ? {} : { observer: { ...observerA, ...inbox(INBOX_PREFIXES.projector) } }),
    },
    tenantB: { tenantId: f.tenantB, credential: { ...tenantB, ...inbox(producerInboxPrefix(f.tenantB)) } },
    observer: { ...observer, ...inbox(INBOX_PREFIXES.projector) },
  };
  const results = await runSecurityChecks(target);
  for (const r of results) {
    process.stdout.write(`${r.ok ? 'passed' : 'FAILED'}  ${r.clauseId.padEnd(22)} ${r.check}: ${r.detail}\n`);
  }
  await mkdir(f.out, { recursive: true });
  const file = path.join(f.out, 'security.json');
  await writeFile(
    file,
    `${JSON.stringify({ url, tenantA: f.tenantA, tenantB: f.tenantB, results }, null, 2)}\n`,
  );
  const failed = results.filter((r) => !r.ok).length;
  process.stderr.write(
    `${failed === 0 ? 'SECURE' : 'NOT SECURE'}: ${results.length - failed} passed, ${failed} failed; wrote ${file}\n`,
  );
  return failed === 0 ? EXIT.ok : EXIT.failure;
}
