/** Turning log events into what the model and the manifest need. */
import { byEventTime, type LogEvent } from '../data/event-log.reader.js';

/** Each shopper's events in event-time order, shoppers in first-arrival order. */
export function groupByUser(events: readonly LogEvent[]): Map<string, LogEvent[]> {
  const byUser = new Map<string, LogEvent[]>();
  for (const event of events) {
    const list = byUser.get(event.user);
    if (list === undefined) byUser.set(event.user, [event]);
    else list.push(event);
  }
  for (const list of byUser.values()) list.sort(byEventTime);
  return byUser;
}

export function itemsOf(events: readonly LogEvent[]): string[] {
  return events.flatMap((event) => event.items);
}

/** ISO times of the oldest and newest event, for the manifest's data window. */
export function timeSpan(events: readonly LogEvent[]): { from: string | null; to: string | null } {
  if (events.length === 0) return { from: null, to: null };
  let min = Infinity;
  let max = -Infinity;
  for (const event of events) {
    min = Math.min(min, event.eventMs);
    max = Math.max(max, event.eventMs);
  }
  return { from: new Date(min).toISOString(), to: new Date(max).toISOString() };
}

/** Interactions whose item the catalog does not know (still learned), and how many such items. */
export function unknownToCatalog(
  events: readonly LogEvent[],
  known: ReadonlySet<string>,
): { interactions: number; items: number } {
  const unknown = new Set<string>();
  let interactions = 0;
  for (const item of itemsOf(events)) {
    if (known.has(item)) continue;
    interactions += 1;
    unknown.add(item);
  }
  return { interactions, items: unknown.size };
}
