import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { isScopedId } from '../../lib/index.js';
import { credentialFromFiles } from '../../harness/security/index.js';
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
  out: string;
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
    .option('--tenant-b-creds <file>', "tenant B's .creds file (then B -> A is probed too)")
    .option('--tenant-b-tls-cert <file>', "tenant B's client certificate")
    .option('--tenant-b-tls-key <file>', "tenant B's client key")
    .option('--observer-creds <file>', "a credential that may read tenant B's subjects (the projector's)")
    .option('--observer-tls-cert <file>', 'observer client certificate')
    .option('--observer-tls-key <file>', 'observer client key')
    .option('--out <dir>', 'where security.json goes', 'reports/conformance')
    .addHelpText(
      'after',
      `
Examples:
  # mTLS: tenant A's client certificate, CA of the server
  $ continuum-kit conformance security --nats tls://bus:4222 --tenant-a acme --tenant-b globex \\
      --nats-tls-cert acme.crt --nats-tls-key acme.key --nats-tls-ca ca.crt
  # JWT: tenant A's .creds, and B's too so that both directions are probed
  $ continuum-kit conformance security --nats nats://bus:4222 --tenant-a acme --nats-creds acme.creds \\
      --tenant-b globex --tenant-b-creds globex.creds

Checks: connecting without credentials fails (CT-7.transport-auth); forged credentials are refused
(CT-6.fail-closed); tenant A can neither publish to nor read tenant B's subjects
(CT-7.tenant-isolation). Probes carry an expected-sequence header JetStream never matches, so
nothing is stored even on an open deployment.
Exit status: 0 every check passed, 1 any failed, 2 usage or environment error.`,
    )
    .action(async (flags: SecurityFlags) => {
      process.exitCode = await security(flags);
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
  const ca = f.natsTlsCa;
  const other = (creds?: string, cert?: string, key?: string) =>
    creds === undefined && cert === undefined
      ? undefined
      : credentialFromFiles({
          ...(creds === undefined ? {} : { credsFile: creds }),
          ...(cert === undefined
            ? {}
            : {
                tls: {
                  certFile: cert,
                  ...(key === undefined ? {} : { keyFile: key }),
                  ...(ca === undefined ? {} : { caFile: ca }),
                },
              }),
        });
  const tenantB = other(f.tenantBCreds, f.tenantBTlsCert, f.tenantBTlsKey);
  const observer = other(f.observerCreds, f.observerTlsCert, f.observerTlsKey);
  const target: SecurityTarget = {
    url,
    tenantA: { tenantId: f.tenantA, credential: credentialFromFiles(tenantAFiles) },
    tenantB: { tenantId: f.tenantB, ...(tenantB === undefined ? {} : { credential: tenantB }) },
    ...(observer === undefined ? {} : { observer }),
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
