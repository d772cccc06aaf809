// The reference producer's entry point for the CLI, the conformance kit and the benches.
export { ReferenceProducer } from './reference-producer.js';
export type { ReferenceProducerOptions, ProducerStatus } from './reference-producer.js';
export { startDriverServer } from './driver-server.js';
export type { DriverServer } from './driver-server.js';
export { EpisodeStore } from './episode-store.js';
export type { EpisodeInput, EpisodePatch, WriteResult, ChangeLogEntry } from './episode-store.js';
export { applyExportPolicy, parseExportPolicy, DEFAULT_POLICY } from './export-policy.js';
export type { ExportPolicy, GateDecision } from './export-policy.js';
export { runBackfill } from './backfill.js';
export type { BackfillReport, BackfillOptions } from './backfill.js';
export { writeDemoEpisodes } from './demo-writer.js';
export type { DemoSummary } from './demo-writer.js';
export { ProducerError, PRODUCER_ERROR_CODES } from './errors.js';
export type { BusState } from './bus-connection.js';
