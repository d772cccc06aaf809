import path from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectNats, type Services } from '../../harness/services/index.js';
import { checkStartWithBusDown } from '../../conformance/producer/check-start-bus-down.js';
import { commandLauncher, referenceProducerTemplate } from '../../conformance/producer/producer-launcher.js';
import { startKitEnv } from './kit-env.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CLI = [process.execPath, '--import', 'tsx', path.join(ROOT, 'cli/main.ts')];

let env: Services;
let nc: NatsConnection;
beforeAll(async () => {
  env = await startKitEnv();
  nc = await connectNats(env.natsUrl);
});
afterAll(async () => {
  await nc?.close();
  await env?.stop();
});

describe('the producer started with the bus down (CT-6.local-writes, CT-6.export-retry)', () => {
  it('passes the reference: it starts, accepts local writes, exports them once the bus is back', async () => {
    const result = await checkStartWithBusDown({
      launch: commandLauncher(referenceProducerTemplate(env, CLI)),
      natsUrl: env.natsUrl,
      jsm: await jetstreamManager(nc),
    });
    expect(result.violations).toEqual([]);
    expect(result.evidence).toMatch(/3 local writes accepted .* all 3 on the bus/);
  });

  it('fails a producer that needs the bus to start, naming CT-6.local-writes', async () => {
    const broken = [
      process.execPath,
      '--import',
      'tsx',
      path.join(ROOT, 'conformance/fixtures/broken-producer.ts'),
    ].join(' ');
    const reference = `${CLI.map((s) => `'${s}'`).join(' ')} ref producer`;
    const template = referenceProducerTemplate(env, CLI).replace(reference, broken);
    expect(template).toContain('broken-producer.ts');
    const result = await checkStartWithBusDown({
      launch: commandLauncher(template),
      natsUrl: env.natsUrl,
      jsm: await jetstreamManager(nc),
      timeoutMs: 10_000,
    });
    expect(result.violations.map((v) => v.clauseId)).toEqual(['CT-6.local-writes']);
    expect(result.violations[0]?.message).toMatch(/exited \(2\)/);
  });
});
