import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import junit from 'junit-report-builder';
import type { Builder } from 'junit-report-builder';
import { CONTRACT } from 'continuum-contract';
import { kitVersion } from '../../harness/kit-version.js';
import { EXIT } from '../exit-codes.js';

/** What stopped a run before it could judge the target: exit 2, never a verdict. */
export interface RunError {
  /** 'environment': services, the projector or the reference could not run; 'internal': a kit defect. */
  kind: 'environment' | 'internal';
  command: string;
  target: string | undefined;
  message: string;
  startedAt: string;
}

const escapeHtml = (s: string): string =>
  s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

/**
 * Writes report.json, junit.xml (one errored test case) and report.html saying the run did not
 * judge the target and why, so a CI that reads the reports sees the cause instead of stale files.
 */
export async function writeErrorReports(error: RunError, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const json = {
    kit: 'continuum-kit',
    kitVersion: kitVersion(),
    specHash: CONTRACT.specHash,
    exitCode: EXIT.usage,
    conformant: null,
    error,
  };
  await writeFile(path.join(dir, 'report.json'), `${JSON.stringify(json, null, 2)}\n`);
  // The package's CJS default export is the builder; its typings describe the module object.
  const builder = (junit as unknown as Builder).newBuilder();
  builder
    .testSuite()
    .name(`continuum-kit ${error.command} (${error.target ?? '-'})`)
    .testCase()
    .className(error.kind)
    .name(`${error.kind} error: the target was not judged`)
    .error(error.message, error.kind === 'environment' ? 'EnvironmentError' : 'InternalError');
  await writeFile(path.join(dir, 'junit.xml'), builder.build());
  const title = error.kind === 'environment' ? 'Environment error' : 'Internal error of the kit';
  await writeFile(
    path.join(dir, 'report.html'),
    `<!doctype html><html><head><meta charset="utf-8"><title>continuum-kit: ${title}</title></head><body>` +
      `<h1>${title}: not judged (exit 2)</h1><p>${escapeHtml(error.command)}, target ${escapeHtml(error.target ?? '-')}, started ${error.startedAt}</p>` +
      `<pre>${escapeHtml(error.message)}</pre></body></html>\n`,
  );
}
