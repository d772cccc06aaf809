import { describe, expect, it } from 'vitest';
import { isDataError, isInfrastructureError } from './projector-errors.js';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('failure classes', () => {
  it('takes lost connections, shutdowns, deadlocks and timeouts for the infrastructure', () => {
    for (const err of [
      withCode('terminating connection due to administrator command', '57P01'),
      withCode('deadlock detected', '40P01'),
      withCode('connection failure', '08006'),
      withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'),
      new Error('Connection terminated unexpectedly'),
      new Error('Client has encountered a connection error and is not queryable'),
      Object.assign(new Error('TIMEOUT'), { name: 'TimeoutError' }),
    ])
      expect(isInfrastructureError(err), String(err)).toBe(true);
  });

  it('leaves what the data causes to count against the message', () => {
    for (const err of [
      withCode('stack depth limit exceeded', '54001'),
      withCode('unsupported Unicode escape sequence', '22P05'),
      new RangeError('Maximum call stack size exceeded'),
      new TypeError("Cannot read properties of undefined (reading 'tags')"),
    ])
      expect(isInfrastructureError(err), String(err)).toBe(false);
    expect(isDataError(withCode('invalid input syntax', '22P02'))).toBe(true);
    expect(isDataError(withCode('stack depth limit exceeded', '54001'))).toBe(false);
  });
});
