/**
 * The cases of a prequential ("predict, then learn") evaluation: walking a time-ordered stream of
 * interactions, each event whose shopper already has a history becomes a next-event case — rank
 * the whole catalogue from the shopper's history as it stood just before the event, and see
 * where the event's item lands. Building the cases is pure and independent of any model, so every
 * arm (online, frozen, a registry version) is scored on exactly the same cases.
 */
import { ERROR_CODES, PermanentError } from '@recstream/errors';

/** One interaction of the stream: a shopper touched an item at an event time. */
export interface StreamEvent {
  readonly user: string;
  readonly item: string;
  readonly timeMs: number;
}

export interface PrequentialCase {
  /** Index of the event in the stream. */
  readonly position: number;
  readonly user: string;
  readonly timeMs: number;
  /** The shopper's most recent items before the event (at most `maxLength`), oldest first. */
  readonly history: readonly string[];
  readonly target: string;
}

export function invalidStream(message: string): PermanentError {
  return new PermanentError(ERROR_CODES.invalidInput, `prequential evaluation: ${message}`);
}

/** Rejects an event without a shopper or item, or a non-finite time; names the event. */
export function checkEvent(event: StreamEvent, position: number, what: string): void {
  if (event.user === '' || event.item === '')
    throw invalidStream(`${what} event ${position} has an empty user or item`);
  if (!Number.isFinite(event.timeMs)) throw invalidStream(`${what} event ${position} has no valid time`);
}

/**
 * Each shopper's items in stream order, as the stream's prefix (what an initial model learned)
 * left them: the histories the first cases start from.
 */
export function historiesOf(events: readonly StreamEvent[]): Map<string, string[]> {
  const histories = new Map<string, string[]>();
  events.forEach((event, position) => {
    checkEvent(event, position, 'prefix');
    const history = histories.get(event.user);
    if (history === undefined) histories.set(event.user, [event.item]);
    else history.push(event.item);
  });
  return histories;
}

/**
 * Walks `stream` (time-ordered) after `histories`, yielding each event with its case, or
 * `undefined` when the event is not a case: the shopper's first event (no history to rank from —
 * a sequence model has nothing to say, whichever arm) or a repeat of an item already in the
 * history (masked like the rest of the history in a full-ranking evaluation, so it could never be
 * hit). The event joins its shopper's history only when the walk resumes, so while the consumer
 * handles a yield, `histories` holds exactly the events before it.
 */
export function* walkStream(
  stream: readonly StreamEvent[],
  histories: Map<string, string[]>,
  maxLength: number,
): Generator<{ event: StreamEvent; position: number; evalCase: PrequentialCase | undefined }> {
  if (!Number.isInteger(maxLength) || maxLength < 1)
    throw invalidStream(`maxLength must be a positive integer, got ${maxLength}`);
  let lastMs = -Infinity;
  for (const [position, event] of stream.entries()) {
    checkEvent(event, position, 'stream');
    if (event.timeMs < lastMs)
      throw invalidStream(`stream event ${position} is older than the one before it: not in time order`);
    lastMs = event.timeMs;
    const history = histories.get(event.user);
    const isCase = history !== undefined && history.length > 0 && !history.includes(event.item);
    yield {
      event,
      position,
      evalCase: isCase
        ? {
            position,
            user: event.user,
            timeMs: event.timeMs,
            history: history.slice(-maxLength),
            target: event.item,
          }
        : undefined,
    };
    if (history === undefined) histories.set(event.user, [event.item]);
    else history.push(event.item);
  }
}

/** All cases of `stream` after `prefix` (a convenience over `walkStream`). */
export function prequentialCases(
  prefix: readonly StreamEvent[],
  stream: readonly StreamEvent[],
  maxLength: number,
): PrequentialCase[] {
  const cases: PrequentialCase[] = [];
  for (const { evalCase } of walkStream(stream, historiesOf(prefix), maxLength))
    if (evalCase !== undefined) cases.push(evalCase);
  return cases;
}
