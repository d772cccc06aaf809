import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * The broken fixture projector acknowledging before it commits (conformance/fixtures, helper E's),
 * as a projector command for startFaultEnv. A kill landing between the ack and the COMMIT loses
 * the batch: CT-4.ack-after-commit must catch it.
 */
export function ackBeforeCommitProjectorCommand(): string {
  return `${process.execPath} --import tsx ${path.join(ROOT, 'conformance/fixtures/broken-projector.ts')} --break ack-before-commit`;
}
