/** Time as the tracker sees it: injectable so tests control batching intervals and backoff. */

/** What setTimeout returned: a Timeout object in Node, a number in browsers. */
export type TimerHandle = object | number;

export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  /**
   * Keeps the process alive until the returned function is called. The tracker's timers do not,
   * so a caller awaiting flush() or close() needs this to see the end of a backoff wait.
   */
  hold(): () => void;
}

/**
 * The runtime's clock. In Node the timers are unref'd: a pending flush or retry must not keep a
 * process alive on its own; `close()` is how a process waits for delivery.
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(callback, ms) {
    const handle: TimerHandle = setTimeout(callback, ms);
    if (typeof handle === 'object' && 'unref' in handle) {
      const { unref } = handle;
      if (typeof unref === 'function') unref.call(handle);
    }
    return handle;
  },
  clearTimeout(handle) {
    clearTimeout(handle as Parameters<typeof clearTimeout>[0]);
  },
  hold() {
    // A referenced timer that never fires is what keeps Node's event loop running; harmless in browsers.
    const handle = setInterval(() => undefined, 2 ** 30);
    return () => clearInterval(handle);
  },
};
