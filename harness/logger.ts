import pino from 'pino';

/** Structured fields attached to a log line. */
export type LogFields = Record<string, unknown>;

/**
 * The logger every library module takes by injection. A pino logger satisfies it as is, so the
 * edges (CLI, benches) pass `createLogger()` and library code never writes to the console.
 * Call as `logger.info({ port }, 'nats-server ready')` or `logger.info('ready')`.
 */
export interface Logger {
  debug(fieldsOrMessage: LogFields | string, message?: string): void;
  info(fieldsOrMessage: LogFields | string, message?: string): void;
  warn(fieldsOrMessage: LogFields | string, message?: string): void;
  error(fieldsOrMessage: LogFields | string, message?: string): void;
  /** A logger that adds `bindings` to every line. */
  child(bindings: LogFields): Logger;
}

/** Options for {@link createLogger}. */
export interface CreateLoggerOptions {
  /** pino level name; default 'info'. */
  level?: string;
  /** Added as `name` to every line. */
  name?: string;
}

/** A pino logger writing JSON lines to stderr (stdout is kept for command results). */
export function createLogger(options: CreateLoggerOptions = {}): Logger {
  return pino({ level: options.level ?? 'info', name: options.name }, pino.destination(2));
}

const noop = (): void => {};

/** A logger that drops everything: the default wherever no logger is injected. */
export const silentLogger: Logger = {
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  child: () => silentLogger,
};
