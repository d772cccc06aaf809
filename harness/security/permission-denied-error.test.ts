import { describe, expect, it } from 'vitest';
import { PermissionDeniedError, toPermissionDenied } from './permission-denied-error.js';
import { refusedPublishAudit } from './refused-publish-audit.js';
import { validateAuditEntry } from 'continuum-contract';

const server = (s: string): Error => Object.assign(new Error(s), { name: 'PermissionViolationError' });

describe('toPermissionDenied', () => {
  it('finds the server refusal inside a wrapped request error', () => {
    const inner = server('Permissions Violation for Publish to "continuum.episode.v1.t2.a1"');
    const wrapped = new Error('request failed', { cause: inner });
    const e = toPermissionDenied(wrapped, 'CN=continuum-producer-t1,O=continuum-kit');
    expect(e).toBeInstanceOf(PermissionDeniedError);
    expect(e).toMatchObject({
      name: 'PermissionDeniedError',
      code: 'PERMISSION_DENIED',
      operation: 'publish',
      subject: 'continuum.episode.v1.t2.a1',
      identity: 'CN=continuum-producer-t1,O=continuum-kit',
      cause: wrapped,
    });
    expect(e!.message).toBe(
      'NATS refused publish to continuum.episode.v1.t2.a1 for CN=continuum-producer-t1,O=continuum-kit: ' +
        'the credential has no permission for this subject (not retried)',
    );
  });

  it('reads subscription refusals', () => {
    const e = toPermissionDenied(
      server('Permissions Violation for Subscription to "x.>" using queue "q"'),
      'u',
    );
    expect(e).toMatchObject({ operation: 'subscribe', subject: 'x.>' });
  });

  it.each([new Error('TIMEOUT'), new Error('503'), 'Permissions Violation for Publish to "a"', undefined])(
    'leaves other errors alone: %j',
    (err) => {
      expect(toPermissionDenied(err, 'u')).toBeUndefined();
    },
  );
});

describe('refusedPublishAudit', () => {
  it('builds a schema-valid publish_refused entry scoped to the refused subject', () => {
    const err = new PermissionDeniedError('publish', 'continuum.episode.v1.t2.a1', 'CN=p,O=continuum-kit');
    const entry = refusedPublishAudit(
      err,
      { event_id: '01J0000000000000000000000A' },
      new Date(Date.UTC(2026, 0, 2)),
    );
    expect(entry).toEqual({
      actor: 'CN=p,O=continuum-kit',
      action: 'publish_refused',
      tenant_id: 't2',
      agent_id: 'a1',
      params: {
        event_id: '01J0000000000000000000000A',
        subject: 'continuum.episode.v1.t2.a1',
        operation: 'publish',
        code: 'PERMISSION_DENIED',
      },
      outcome: 'refused',
      detail: err.message,
      at: '2026-01-02T00:00:00.000Z',
    });
    expect(validateAuditEntry(entry).ok).toBe(true);
  });

  it('omits tenant and agent when the subject is not an episode subject', () => {
    const entry = refusedPublishAudit(new PermissionDeniedError('publish', '$JS.API.STREAM.LIST', 'u'));
    expect(entry).not.toHaveProperty('tenant_id');
    expect(validateAuditEntry(entry).ok).toBe(true);
  });
});
