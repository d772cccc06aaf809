/**
 * A strictly increasing UTC clock at microsecond precision. Successive local writes to one episode
 * must order the same way on the bus as they happened here; the wall clock alone can repeat a
 * microsecond or step back, so each reading is at least one microsecond after the previous one.
 */
export class MicroClock {
  private last: number;

  /** @param floorMicros - the greatest instant already used (for example the change-log's max), so a restart never goes back. */
  constructor(floorMicros = 0) {
    this.last = floorMicros;
  }

  /** The next instant, in microseconds since the epoch. */
  nextMicros(): number {
    const wall = Math.floor((performance.timeOrigin + performance.now()) * 1000);
    this.last = Math.max(wall, this.last + 1);
    return this.last;
  }
}

/** Canonical source_ts: YYYY-MM-DDTHH:MM:SS.ffffffZ (always six fractional digits). */
export function formatMicros(micros: number): string {
  const ms = Math.floor(micros / 1000);
  const iso = new Date(ms).toISOString(); // ...SS.mmmZ
  return `${iso.slice(0, 23)}${String(micros % 1000).padStart(3, '0')}Z`;
}
