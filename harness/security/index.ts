/** Transport security for test deployments and clients: mTLS / NATS JWT, per-tenant permissions, typed refusals. */
export { startSecureNats } from './start-secure-nats.js';
export type {
  SecureNats,
  SecureNatsMode,
  SecureNatsOptions,
  SecureNatsWeakening,
} from './start-secure-nats.js';
export { natsConnectOptions } from './nats-credential.js';
export type { NatsCredential } from './nats-credential.js';
export { credentialFromFiles } from './credential-from-files.js';
export type { CredentialFiles } from './credential-from-files.js';
export {
  INBOX_PREFIXES,
  producerInboxPrefix,
  producerPermissions,
  projectorPermissions,
  sharedInboxPermissions,
  tenantAccountName,
  assertTenantId,
} from './nats-permissions.js';
export type { SubjectPermissions } from './nats-permissions.js';
export { PermissionDeniedError, toPermissionDenied } from './permission-denied-error.js';
export { SECURITY_ERROR_CODES } from './security-error-codes.js';
export type { SecurityErrorCode } from './security-error-codes.js';
export { SecuritySetupError } from './security-setup-error.js';
export type { RefusedOperation } from './permission-denied-error.js';
export { refusedPublishAudit } from './refused-publish-audit.js';
export type { AuditEntry, AuditSink } from './refused-publish-audit.js';
export { publishOrRefuse } from './publish-or-refuse.js';
export type { PublishContext, PublishOrRefused } from './publish-or-refuse.js';
export { watchPermissionViolations } from './watch-permission-violations.js';
export { generatePki, generateUntrustedClientCert, mappedSubject } from './openssl-pki.js';
export { generateJwtAuth, generateUntrustedCreds } from './jwt-auth.js';
