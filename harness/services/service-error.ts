/** Stable codes carried by {@link ServiceError}. */
export const SERVICE_ERROR_CODES = {
  /** No URL, no binary and no Docker engine for one or more services. */
  unavailable: 'SERVICES_UNAVAILABLE',
  /** A given URL (flag or environment) did not answer. */
  unreachable: 'SERVICE_UNREACHABLE',
  /** A started server did not become ready within the timeout. */
  notReady: 'SERVICE_NOT_READY',
  /** A started server exited on its own. */
  exited: 'SERVICE_EXITED',
  /** A setup step (initdb, temp dir, OS user) failed. */
  startFailed: 'SERVICE_START_FAILED',
  /** A fault hook was called on a service this layer did not start from a binary. */
  faultUnsupported: 'FAULT_UNSUPPORTED',
  /** A stream or table exists with a configuration that cannot be brought to the contract's. */
  provisionFailed: 'PROVISION_FAILED',
  /** Options that cannot hold together, e.g. `secure` with a NATS URL that this layer did not start. */
  optionsConflict: 'SERVICE_OPTIONS_CONFLICT',
} as const;

/** One of {@link SERVICE_ERROR_CODES}. */
export type ServiceErrorCode = (typeof SERVICE_ERROR_CODES)[keyof typeof SERVICE_ERROR_CODES];

/** The services the harness manages. */
export type ServiceName = 'nats' | 'pg' | 'valkey';

/** Infrastructure failure in the service layer or provisioning, with a stable `code`. */
export class ServiceError extends Error {
  override readonly name = 'ServiceError';
  readonly code: ServiceErrorCode;
  /** The service concerned, when there is exactly one. */
  readonly service: ServiceName | undefined;

  constructor(
    code: ServiceErrorCode,
    message: string,
    options: { service?: ServiceName; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.service = options.service;
  }
}

/** Human names used in messages. */
export const SERVICE_LABELS: Readonly<Record<ServiceName, string>> = {
  nats: 'NATS',
  pg: 'PostgreSQL',
  valkey: 'Valkey',
};
