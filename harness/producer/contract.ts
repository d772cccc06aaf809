// The producer's single import point for the contract library (continuum-contract), so the
// harness names in one place which parts of the contract it relies on.
export {
  brokerMsgId,
  decodeEpisodeEvent,
  dlqSubject,
  episodeSubject,
  parseValkeyKey,
  presenceKey,
  rateLimitKey,
  sourceTsToMicros,
  validateBackfillRequest,
  validateDlqEntry,
  validateEpisodeEvent,
} from 'continuum-contract';
export type { BackfillRequest, DlqEntry, EpisodeEvent, Violation } from 'continuum-contract';
