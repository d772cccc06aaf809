import fc from 'fast-check';
import { validEventArb } from '../conformance/arbitraries/valid-event.js';
import { validators } from '../packages/contract/generated/validators.js';
import { decodeEpisodeEvent, validateEpisodeEvent, type ValidationMode } from 'continuum-contract';
import type { BenchResult } from './bench-result.js';

const EVENTS = 4000;
const ROUNDS = 15;
const TARGET = 0.9;

function corpus(): Buffer[] {
  // Fixed seed: the same realistic events every run (200-1500 bytes, tags and metadata).
  const events = fc.sample(validEventArb({ size: 'realistic' }), { numRuns: EVENTS * 2, seed: 42 });
  return events
    .map((e) => Buffer.from(JSON.stringify(e), 'utf8'))
    .filter((b) => b.byteLength >= 200 && b.byteLength <= 1500)
    .slice(0, EVENTS);
}

let sink = 0;

// CPU time of this process, not wall time: other work on a shared machine then skews both sides less.
function timePass(run: () => void): number {
  const start = process.cpuUsage();
  run();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/** Interleaves baseline and candidate passes over the same inputs; returns median events/s of each. */
function sideBySide(baseline: () => void, candidate: () => void, n: number): { base: number; cand: number } {
  for (let i = 0; i < 3; i++) {
    baseline();
    candidate();
  }
  const base: number[] = [];
  const cand: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    // Alternate which goes first so neither always gets the warmer cache.
    if (r % 2 === 0) {
      base.push(n / timePass(baseline));
      cand.push(n / timePass(candidate));
    } else {
      cand.push(n / timePass(candidate));
      base.push(n / timePass(baseline));
    }
  }
  return { base: median(base), cand: median(cand) };
}

/** Median CPU nanoseconds per event of one pass (after warm-up); for the profile detail only. */
function nsPerEvent(run: () => void, n: number): number {
  for (let i = 0; i < 3; i++) run();
  const times: number[] = [];
  for (let r = 0; r < ROUNDS; r++) times.push(timePass(run));
  return Math.round((median(times) * 1e9) / n);
}

/** One charCodeAt pass over the text: a floor for any JavaScript check that reads every character. */
function charScan(text: string): number {
  let sum = 0;
  for (let i = 0; i < text.length; i++) sum += text.charCodeAt(i);
  return sum;
}

/**
 * Where decode+validate spends its time, per event: UTF-8 decoding (bytes only), JSON.parse, the
 * schema + calendar checks alone (validateEpisodeEvent on already-parsed objects), the generated
 * schema check alone (check_only), and a bare character pass over the text. The contract's
 * patterns (ids, timestamps, refs, summary, tags, metadata keys) cover most characters of an
 * event, so checks cost at least a good part of that pass.
 */
function profile(buffers: Buffer[], strings: string[], mode: ValidationMode): Record<string, number> {
  const parsed = strings.map((s) => JSON.parse(s) as unknown);
  const n = buffers.length;
  const check = (mode === 'producer' ? validators.episodeEventProducer : validators.episodeEventConsumer)
    .check;
  return {
    to_string_ns: nsPerEvent(() => {
      for (const b of buffers) sink += b.toString('utf8').length;
    }, n),
    json_parse_ns: nsPerEvent(() => {
      for (const s of strings) sink += (JSON.parse(s) as object) ? 1 : 0;
    }, n),
    validate_only_ns: nsPerEvent(() => {
      for (const v of parsed) sink += validateEpisodeEvent(v, mode).ok ? 1 : 0;
    }, n),
    // The generated single-walk schema check alone: validate_only minus calendar and result.
    check_only_ns: nsPerEvent(() => {
      for (const v of parsed) sink += check(v) ? 1 : 0;
    }, n),
    char_scan_ns: nsPerEvent(() => {
      for (const s of strings) sink += charScan(s);
    }, n),
  };
}

/**
 * decode+validate throughput of realistic events as a ratio to bare JSON.parse of the same bytes,
 * measured side by side in one run, for bytes and string input and both modes.
 */
export async function benchValidate(): Promise<BenchResult[]> {
  const buffers = corpus();
  const strings = buffers.map((b) => b.toString('utf8'));
  const bytes = buffers.reduce((sum, b) => sum + b.byteLength, 0);
  const results: BenchResult[] = [];
  const cases: { input: 'bytes' | 'string'; mode: ValidationMode }[] = [
    { input: 'bytes', mode: 'consumer' },
    { input: 'bytes', mode: 'producer' },
    { input: 'string', mode: 'consumer' },
    { input: 'string', mode: 'producer' },
  ];
  const profiles = new Map<ValidationMode, Record<string, number>>();
  for (const { input, mode } of cases) {
    let split = profiles.get(mode);
    if (split === undefined) profiles.set(mode, (split = profile(buffers, strings, mode)));
    const baseline =
      input === 'bytes'
        ? () => {
            for (const b of buffers) sink += (JSON.parse(b.toString('utf8')) as object) ? 1 : 0;
          }
        : () => {
            for (const s of strings) sink += (JSON.parse(s) as object) ? 1 : 0;
          };
    const candidate =
      input === 'bytes'
        ? () => {
            for (const b of buffers) sink += decodeEpisodeEvent(b, mode).ok ? 1 : 0;
          }
        : () => {
            for (const s of strings) sink += decodeEpisodeEvent(s, mode).ok ? 1 : 0;
          };
    const { base, cand } = sideBySide(baseline, candidate, buffers.length);
    const ratio = cand / base;
    results.push({
      name: `decode+validate / JSON.parse throughput (${input}, ${mode})`,
      value: Math.round(ratio * 1000) / 1000,
      unit: 'ratio',
      target: `>= ${TARGET}`,
      pass: ratio >= TARGET,
      detail: {
        events: buffers.length,
        mean_bytes: Math.round(bytes / buffers.length),
        json_parse_events_per_s: Math.round(base),
        decode_validate_events_per_s: Math.round(cand),
        rounds: ROUNDS,
        ...split,
      },
    });
  }
  if (sink < 0) throw new Error('unreachable');
  return results;
}
