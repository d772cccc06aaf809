import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSoak, startFaultEnv, writeFaultReports, type FaultEnv } from '../../conformance/faults/index.js';

let env: FaultEnv;
beforeAll(async () => {
  env = await startFaultEnv();
});
afterAll(async () => {
  await env?.stop();
});

describe('bounded soak', () => {
  it(
    '20 s at 250 writes/s: nothing lost, a time series of memory, lag and errors, plotted',
    { timeout: 120_000 },
    async () => {
      const s = await runSoak(env, { durationMs: 20_000, ratePerSec: 250, sampleEveryMs: 1000 });
      const mb = (b: number | undefined): string => (b === undefined ? '-' : (b / 2 ** 20).toFixed(1));
      process.stdout.write(
        `[faults] soak: ${JSON.stringify(s.figures)} lagP95Ms=${s.lagP95Ms?.toFixed(1)} projectorRSS ${mb(s.memory.projectorRss.firstBytes)}->${mb(s.memory.projectorRss.lastBytes)} MB (slope ${mb(s.memory.projectorRss.slopeBytesPerMin)} MB/min) producer+kit RSS ${mb(s.memory.producerRss.firstBytes)}->${mb(s.memory.producerRss.lastBytes)} MB\n`,
      );
      expect(s.violations).toEqual([]);
      expect(s.memoryVerdict.judged).toBe(false); // 20 s cannot tell growth from GC waves
      expect(s.figures.episodesWritten).toBeGreaterThan(0);
      expect(s.figures.eventsProjected).toBe(s.figures.episodesWritten);
      expect(s.figures.lost).toBe(0);
      expect(s.samples.length).toBeGreaterThanOrEqual(10);
      expect(s.samples.every((x) => x.projectorRssBytes !== undefined && x.projectorRssBytes > 0)).toBe(true);
      expect(s.samples.some((x) => x.lagP95Ms !== undefined)).toBe(true);
      expect(s.samples.at(-1)?.projectorErrorsPerSec).toBeDefined();
      const out = mkdtempSync(path.join(os.tmpdir(), 'ck-soak-'));
      const files = await writeFaultReports(out, { soak: s });
      const html = readFileSync(files.html, 'utf8');
      // Each series on its own scale: one plot per memory, latency, backlog and error series.
      expect(html.match(/<svg/g)?.length).toBe(9);
      for (const title of ['Projector RSS', 'Producer + kit RSS', 'Local write p99', 'Write errors'])
        expect(html).toContain(`>${title} (`);
      expect(html).toContain('<polyline');
      expect(html).not.toContain('<script');
    },
  );
});
