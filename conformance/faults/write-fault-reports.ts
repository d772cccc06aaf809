import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { faultSectionHtml, soakSectionHtml } from './fault-report-html.js';
import type { FaultPropertyResult } from './run-fault-property.js';
import type { SoakResult } from './run-soak.js';

/** Writes faults.json and a self-contained faults.html into `dir`; returns their paths. */
export async function writeFaultReports(
  dir: string,
  r: {
    faults?: FaultPropertyResult;
    cluster?: FaultPropertyResult;
    secure?: FaultPropertyResult;
    soak?: SoakResult;
  },
): Promise<{ json: string; html: string }> {
  await mkdir(dir, { recursive: true });
  const json = path.join(dir, 'faults.json');
  const html = path.join(dir, 'faults.html');
  await writeFile(json, `${JSON.stringify(r, null, 2)}\n`);
  const body = [
    r.faults === undefined ? '' : faultSectionHtml(r.faults, 'Faults: single node'),
    r.cluster === undefined ? '' : faultSectionHtml(r.cluster, 'Faults: 3-node cluster (replicas 3)'),
    r.secure === undefined
      ? ''
      : faultSectionHtml(r.secure, 'Faults: secure bus (auth probed during faults)'),
    r.soak === undefined ? '' : soakSectionHtml(r.soak),
  ].join('\n');
  await writeFile(
    html,
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>continuum-kit faults and soak</title>
<style>body{font:14px system-ui,sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse}td{border-bottom:1px solid #ddd;padding:4px 8px}pre{background:#f6f6f6;padding:8px}</style></head><body>
<h1>continuum-kit: faults and soak</h1>
${body}
</body></html>
`,
  );
  return { json, html };
}
