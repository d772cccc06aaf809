import { describe, expect, it } from 'vitest';
import { streamConfig, streamDifferences, type StreamSpec } from './ensure-streams.js';

const SPEC: StreamSpec = {
  name: 'S',
  subjects: ['a.*', 'b.*'],
  retention: 'limits',
  storage: 'file',
  replicas: 1,
  duplicate_window_ms: 120_000,
  max_age_ms: 1000,
  max_msg_size: 65_536,
  discard: 'old',
};

describe('streamConfig', () => {
  it('converts milliseconds to nanoseconds and keeps the rest', () => {
    expect(streamConfig(SPEC)).toEqual({
      name: 'S',
      subjects: ['a.*', 'b.*'],
      retention: 'limits',
      storage: 'file',
      num_replicas: 1,
      duplicate_window: 120_000_000_000,
      max_age: 1_000_000_000,
      max_msg_size: 65_536,
      discard: 'old',
    });
    expect(streamConfig(SPEC, 3).num_replicas).toBe(3);
  });

  it('rejects a policy nats.js does not know', () => {
    expect(() => streamConfig({ ...SPEC, retention: 'forever' })).toThrow(
      /unknown stream retention 'forever'/,
    );
  });
});

describe('streamDifferences', () => {
  it('ignores subject order and fields the contract does not set', () => {
    const actual = { ...streamConfig(SPEC), subjects: ['b.*', 'a.*'], max_msgs: -1 };
    expect(streamDifferences(streamConfig(SPEC), actual)).toEqual([]);
  });

  it('names each drifted field with its actual and desired value', () => {
    const actual = { ...streamConfig(SPEC), max_age: 5, subjects: ['a.*'] };
    expect(streamDifferences(streamConfig(SPEC), actual)).toEqual([
      'subjects: ["a.*"] -> ["a.*","b.*"]',
      'max_age: 5 -> 1000000000',
    ]);
  });
});
