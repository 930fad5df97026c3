/** A clock whose time moves only when a test says so; timers fire in due order as it advances. */
import type { Clock, TimerHandle } from '../clock.js';

interface Timer {
  readonly id: number;
  readonly at: number;
  readonly callback: () => void;
}

export interface FakeClock extends Clock {
  /** Moves time forward by `ms`, firing due timers one by one and letting promises settle after each. */
  advance(ms: number): Promise<void>;
  /** Delays of the timers now pending, from now, soonest first. */
  pendingDelays(): number[];
  /** How many hold() calls are not released: the process would be kept alive. */
  readonly holds: number;
}

/** Lets pending promise chains run (a few macrotask turns, enough for our await depths). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 10; i += 1) await new Promise<void>((resolve) => setImmediate(resolve));
}

export function createFakeClock(start = Date.parse('2026-05-01T12:00:00.000Z')): FakeClock {
  let now = start;
  let nextId = 1;
  let holds = 0;
  const timers = new Map<number, Timer>();
  return {
    now: () => now,
    setTimeout(callback, ms): TimerHandle {
      const id = nextId;
      nextId += 1;
      timers.set(id, { id, at: now + ms, callback });
      return id;
    },
    clearTimeout(handle) {
      timers.delete(handle as number);
    },
    hold() {
      holds += 1;
      let released = false;
      return () => {
        if (!released) holds -= 1;
        released = true;
      };
    },
    get holds() {
      return holds;
    },
    async advance(ms) {
      const target = now + ms;
      await settle();
      for (;;) {
        const due = [...timers.values()]
          .filter((timer) => timer.at <= target)
          .sort((a, b) => a.at - b.at || a.id - b.id)[0];
        if (due === undefined) break;
        timers.delete(due.id);
        now = due.at;
        due.callback();
        await settle();
      }
      now = target;
    },
    pendingDelays: () => [...timers.values()].map((timer) => timer.at - now).sort((a, b) => a - b),
  };
}
