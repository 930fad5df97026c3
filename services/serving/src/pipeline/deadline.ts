/**
 * One time budget for all the feature reads of a request. When Redis is slow or gone, ioredis
 * would keep a command waiting through its reconnection attempts (hundreds of milliseconds); a
 * page view cannot wait that long, so past the deadline the request stops waiting and degrades.
 * The abandoned commands finish or fail on their own; their results are ignored.
 */
export class DeadlineExceeded extends Error {
  constructor(readonly budgetMs: number) {
    super(`feature reads took longer than ${budgetMs} ms`);
    this.name = 'DeadlineExceeded';
  }
}

export interface Deadline {
  /** `work`, or a DeadlineExceeded rejection once the budget is spent, whichever comes first. */
  within<T>(work: Promise<T>): Promise<T>;
  /** Stops the timer (call when the reads are done). */
  clear(): void;
}

export function startDeadline(budgetMs: number): Deadline {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceeded(budgetMs)), budgetMs);
  });
  // Nobody may be racing it when it fires (the reads finished); that is not an unhandled failure.
  expired.catch(() => undefined);
  return {
    within: (work) => Promise.race([work, expired]),
    clear: () => clearTimeout(timer),
  };
}
