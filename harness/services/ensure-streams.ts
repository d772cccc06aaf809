import {
  DiscardPolicy,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type JetStreamManager,
  type StreamConfig,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type { Logger } from '../logger.js';
import { SERVICE_ERROR_CODES, ServiceError } from './service-error.js';

/** A stream as the contract's x-streams describes it (CONTRACT.streams values). */
export interface StreamSpec {
  name: string;
  subjects: readonly string[];
  retention: string;
  storage: string;
  replicas: number;
  duplicate_window_ms: number;
  max_age_ms: number;
  max_msg_size: number;
  discard: string;
}

/** What provisioning did to one stream. */
export type StreamAction = 'created' | 'updated' | 'unchanged';

type DesiredConfig = Pick<
  StreamConfig,
  | 'name'
  | 'subjects'
  | 'retention'
  | 'storage'
  | 'num_replicas'
  | 'duplicate_window'
  | 'max_age'
  | 'max_msg_size'
  | 'discard'
>;

const STREAM_NAME_IN_USE = 10058;

function oneOf<T extends string>(values: Record<string, T>, value: string, field: string): T {
  const match = Object.values(values).find((candidate) => candidate === value);
  if (match === undefined)
    throw new ServiceError(SERVICE_ERROR_CODES.provisionFailed, `unknown stream ${field} '${value}'`);
  return match;
}

/** The nats.js stream config for a contract stream (durations in nanoseconds). */
export function streamConfig(spec: StreamSpec, replicas = spec.replicas): DesiredConfig {
  return {
    name: spec.name,
    subjects: [...spec.subjects],
    retention: oneOf(RetentionPolicy, spec.retention, 'retention'),
    storage: oneOf(StorageType, spec.storage, 'storage'),
    num_replicas: replicas,
    duplicate_window: nanos(spec.duplicate_window_ms),
    max_age: nanos(spec.max_age_ms),
    max_msg_size: spec.max_msg_size,
    discard: oneOf(DiscardPolicy, spec.discard, 'discard'),
  };
}

/** Fields of `actual` that differ from `desired`, as 'field: actual -> desired'. */
export function streamDifferences(desired: DesiredConfig, actual: Partial<StreamConfig>): string[] {
  const differences: string[] = [];
  for (const [field, want] of Object.entries(desired) as [keyof DesiredConfig, unknown][]) {
    const have = actual[field];
    const same = Array.isArray(want)
      ? Array.isArray(have) && [...have].sort().join(',') === [...(want as string[])].sort().join(',')
      : have === want;
    if (!same) differences.push(`${field}: ${JSON.stringify(have)} -> ${JSON.stringify(want)}`);
  }
  return differences;
}

async function ensureOne(
  jsm: JetStreamManager,
  desired: DesiredConfig,
  logger: Logger,
): Promise<StreamAction> {
  for (let attempt = 0; ; attempt += 1) {
    const info = await jsm.streams.info(desired.name).catch((error: unknown) => {
      if (error instanceof JetStreamApiError && error.code === 10059) return undefined;
      throw error;
    });
    if (info === undefined) {
      try {
        await jsm.streams.add(desired);
        logger.info({ stream: desired.name }, 'stream created');
        return 'created';
      } catch (error) {
        // Another provisioner created it with other settings in between: update it instead.
        if (attempt === 0 && error instanceof JetStreamApiError && error.code === STREAM_NAME_IN_USE)
          continue;
        throw error;
      }
    }
    const differences = streamDifferences(desired, info.config);
    if (differences.length === 0) return 'unchanged';
    const fixed = differences.filter((line) => line.startsWith('storage') || line.startsWith('retention'));
    if (fixed.length > 0) {
      throw new ServiceError(
        SERVICE_ERROR_CODES.provisionFailed,
        `stream ${desired.name} exists with ${fixed.join(', ')}, which JetStream cannot change in place; move its data and delete the stream, then provision again`,
        { service: 'nats' },
      );
    }
    // storage and retention are equal here (checked above), so sending them is harmless.
    await jsm.streams.update(desired.name, desired);
    logger.info({ stream: desired.name, differences }, 'stream updated');
    return 'updated';
  }
}

/** Creates each stream, or updates it to the contract's config; safe to run concurrently. */
export async function ensureStreams(
  jsm: JetStreamManager,
  specs: readonly StreamSpec[],
  options: { replicas?: number; logger: Logger },
): Promise<{ name: string; action: StreamAction }[]> {
  const results: { name: string; action: StreamAction }[] = [];
  for (const spec of specs) {
    const desired = streamConfig(spec, options.replicas);
    try {
      results.push({ name: spec.name, action: await ensureOne(jsm, desired, options.logger) });
    } catch (error) {
      if (error instanceof ServiceError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      throw new ServiceError(SERVICE_ERROR_CODES.provisionFailed, `stream ${spec.name}: ${message}`, {
        service: 'nats',
        cause: error,
      });
    }
  }
  return results;
}
