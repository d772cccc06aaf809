import { ContractUsageError, ERROR_CODES } from './errors.js';

const SOURCE_TS = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?Z$/;

/** A parsed contract timestamp: seconds since the Unix epoch and the microsecond within it. */
export interface SourceTsParts {
  epochSeconds: number;
  micros: number;
  /** The same instant, spelled 'YYYY-MM-DDTHH:MM:SS.ffffffZ'. */
  canonical: string;
}

function isLeap(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

/** Days in the month (1-12) of a proleptic Gregorian year. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeap(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

// Days from 1970-01-01 to a civil date (Howard Hinnant's algorithm; exact for every year 0-9999).
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/**
 * Parses a contract `source_ts` (UTC, 'Z', 0-6 fractional digits, real calendar date including
 * leap years, seconds 00-59). Returns undefined for anything else.
 */
export function parseSourceTs(ts: string): SourceTsParts | undefined {
  const m = SOURCE_TS.exec(ts);
  if (m === null) return undefined;
  const [, ys, mos, ds, hs, mis, ss, frac = ''] = m as unknown as string[];
  const year = Number(ys);
  const month = Number(mos);
  const day = Number(ds);
  const hour = Number(hs);
  const minute = Number(mis);
  const second = Number(ss);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const micros6 = frac.padEnd(6, '0');
  return {
    epochSeconds: daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second,
    micros: Number(micros6),
    canonical: `${ys}-${mos}-${ds}T${hs}:${mis}:${ss}.${micros6}Z`,
  };
}

/** True when the (already pattern-valid) timestamp names a real day: no 2026-02-30, 2025-02-29. */
export function isRealCalendarDate(ts: string): boolean {
  // Days 01-28 exist in every month; only the rest need the month and year.
  if (ts.charCodeAt(8) < 50 || (ts.charCodeAt(8) === 50 && ts.charCodeAt(9) < 57)) return true;
  return parseSourceTs(ts) !== undefined;
}

const digit = (ts: string, i: number): number => ts.charCodeAt(i) - 48;

/**
 * isRealCalendarDate for a timestamp that already matched the schema pattern (fixed positions,
 * month 01-12, day 01-31): the day is compared with the month's length without a second parse.
 */
export function isRealCalendarDateOfPatternValid(ts: string): boolean {
  const day = digit(ts, 8) * 10 + digit(ts, 9);
  if (day <= 28) return true;
  const year = digit(ts, 0) * 1000 + digit(ts, 1) * 100 + digit(ts, 2) * 10 + digit(ts, 3);
  return day <= daysInMonth(year, digit(ts, 5) * 10 + digit(ts, 6));
}

/** Parses or throws ContractUsageError('INVALID_TIMESTAMP'). */
export function requireSourceTs(ts: string): SourceTsParts {
  const parts = typeof ts === 'string' ? parseSourceTs(ts) : undefined;
  if (parts === undefined) {
    throw new ContractUsageError(
      ERROR_CODES.INVALID_TIMESTAMP,
      `not a contract source_ts (UTC 'YYYY-MM-DDTHH:MM:SS[.ffffff]Z', real date): ${JSON.stringify(ts)}`,
    );
  }
  return parts;
}
