/**
 * Pacing: how long to wait before releasing the next event. Either a fixed rate, or the original
 * gaps between events compressed by a speed factor. Both keep a schedule rather than sleeping a
 * fixed interval, so timer jitter does not accumulate; after a stall (slow ingest) they resume
 * from now instead of bursting to catch up.
 */

export interface Pacer {
  /** Milliseconds to wait before releasing an event whose original time is `originalTsMs`. */
  delayMs(originalTsMs: number | undefined, nowMs: number): number;
}

/** How far behind schedule a pacer may fall before it forgets the backlog. */
const MAX_BACKLOG_MS = 1000;

export class FixedRatePacer implements Pacer {
  private readonly intervalMs: number;
  private due: number | undefined = undefined;

  constructor(eventsPerSecond: number) {
    if (!(eventsPerSecond > 0) || !Number.isFinite(eventsPerSecond))
      throw new Error('rate must be a positive number');
    this.intervalMs = 1000 / eventsPerSecond;
  }

  delayMs(_originalTsMs: number | undefined, nowMs: number): number {
    if (this.due === undefined || nowMs - this.due > MAX_BACKLOG_MS) this.due = nowMs;
    const release = this.due;
    this.due += this.intervalMs;
    return Math.max(0, release - nowMs);
  }
}

export class TimeScalePacer implements Pacer {
  private due: number | undefined = undefined;
  private lastOriginal: number | undefined = undefined;

  /**
   * @param speed original time runs this many times faster (2 = twice as fast)
   * @param maxGapMs longest wait between two events after compression: datasets have nights and
   *   weekends that a demo should not sit through
   */
  constructor(
    private readonly speed: number,
    private readonly maxGapMs: number,
  ) {
    if (!(speed > 0) || !Number.isFinite(speed)) throw new Error('speed must be a positive number');
    if (!(maxGapMs >= 0)) throw new Error('maxGapMs must not be negative');
  }

  delayMs(originalTsMs: number | undefined, nowMs: number): number {
    if (originalTsMs === undefined) throw new Error('time-scaled pacing needs the original timestamps');
    if (this.due === undefined || this.lastOriginal === undefined || nowMs - this.due > MAX_BACKLOG_MS) {
      this.due = Math.max(nowMs, this.due ?? nowMs);
    } else {
      const gap = Math.max(0, originalTsMs - this.lastOriginal) / this.speed;
      this.due += Math.min(gap, this.maxGapMs);
    }
    this.lastOriginal = originalTsMs;
    return Math.max(0, this.due - nowMs);
  }
}
