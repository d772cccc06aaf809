import { describe, expect, it } from 'vitest';
import { EnvironmentError } from '../core/environment-error.js';
import type { FaultEnv } from './fault-env.js';
import { runFaultProperty } from './run-fault-property.js';

/**
 * The runner's handling of a run that throws, without servers: the run throws before it touches
 * any of them (its producer cannot open its store), so only the fields read before that exist.
 */
const envWhoseRunsThrow = {
  capabilities: ['valkey-down', 'pg-kill-connections'],
  dir: '/nonexistent',
  producerNatsUrl: 'nats://127.0.0.1:1',
  valkeyUrl: 'redis://127.0.0.1:1',
  projector: { unexpectedExits: [] },
  authProbe: undefined,
  nextTenant: () => undefined,
  producerNats: () => undefined,
} as unknown as FaultEnv;

describe('runFaultProperty', () => {
  it('reports a fault run that throws as an environment error, never as passed', async () => {
    const run = runFaultProperty(envWhoseRunsThrow, {
      seed: 3,
      numRuns: 2,
      run: {
        writer: () => {
          throw new Error('PostgreSQL is down during the final read');
        },
      },
    });
    await expect(run).rejects.toThrow(EnvironmentError);
    await expect(run).rejects.toThrow(/PostgreSQL is down/);
  });
});
