import { commandLine, kitModuleCommand } from '../../harness/child/index.js';

/**
 * The broken fixture projector acknowledging before it commits (conformance/fixtures), as a
 * projector command for startFaultEnv. A kill landing between the ack and the COMMIT loses the
 * batch: CT-4.ack-after-commit must catch it.
 */
export function ackBeforeCommitProjectorCommand(): string {
  return commandLine(
    kitModuleCommand('conformance/fixtures/broken-projector', ['--break', 'ack-before-commit']),
  );
}
