import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Violation } from '../check/violation.js';
import type { FaultSchedule, FaultScheduleFile } from './fault-schedule.js';

/** Writes the executed schedule so that it can be replayed exactly; returns the file path. */
export async function saveFaultSchedule(
  dir: string,
  name: string,
  schedule: FaultSchedule,
  context: { seed?: number; path?: string; violations?: Violation[] } = {},
): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${name}.fault-schedule.json`);
  const body: FaultScheduleFile = { kind: 'continuum-kit.fault-schedule', version: 1, ...context, schedule };
  await writeFile(file, `${JSON.stringify(body, null, 2)}\n`);
  return file;
}

/** Reads a saved fault schedule. @throws TypeError when the file is not one. */
export async function readFaultScheduleFile(file: string): Promise<FaultScheduleFile> {
  const parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<FaultScheduleFile>;
  if (parsed.kind !== 'continuum-kit.fault-schedule' || !Array.isArray(parsed.schedule?.steps)) {
    throw new TypeError(`${file} is not a continuum-kit fault schedule`);
  }
  return parsed as FaultScheduleFile;
}
