/** Transport-security conformance checks (CT-7.transport-auth, CT-7.tenant-isolation, CT-6.fail-closed). */
export { runSecurityChecks } from './run-security-checks.js';
export type { RunSecurityOptions } from './run-security-checks.js';
export { checkInboxRead } from './check-inbox-read.js';
export { checkMsgIdSquatting } from './check-msg-id-squatting.js';
export { checkTransportAuth } from './check-transport-auth.js';
export { checkForgedCredentials } from './check-forged-credentials.js';
export { checkCrossTenantPublish } from './check-cross-tenant-publish.js';
export { checkCrossTenantRead } from './check-cross-tenant-read.js';
export { checkRefusedNotDelivered } from './check-refused-not-delivered.js';
export type {
  NatsCredential,
  SecurityCheckResult,
  SecurityClauseId,
  SecurityTarget,
} from './security-target.js';
