/**
 * The impression event serving logs for each answer, in the clickstream contract
 * (`schemas/src/events/event.schema.ts`, type `impression`), so it travels the ingest path
 * (events topic → sink → ClickHouse `events`) like a shop's own impressions, and clicks and
 * purchases sent back with the answer's `request_id` are attributed to it
 * (`impression_clicks`, `experiment_impressions`).
 *
 * - `item_ids`: the items of the answer in display order, so an item's position is its index + 1;
 * - `list`: which endpoint answered (`recommendations`, `similar`, `complements`, `batch`, `popular`, `search`);
 * - `properties`: `experiment` and `variant` (empty strings outside experiments), `ranker`, `degraded`.
 *
 * The event id is derived from the request id, so a retried produce of the same answer is stored
 * once (the sink dedups by event id).
 */
import {
  EVENT_SCHEMA_VERSION,
  type ClickstreamEvent,
  type ContractValidators,
  type EnrichedEvent,
  type FieldProblem,
} from '@recstream/schemas';

/** The most items one impression event may carry (the contract's bound on `item_ids`). */
export const IMPRESSION_MAX_ITEMS = 500;
/** Written into `source`, where write-key sources are for events shops send. */
export const IMPRESSION_SOURCE = 'serving';

export const IMPRESSION_LISTS = [
  'recommendations',
  'similar',
  'complements',
  'batch',
  'popular',
  'search',
] as const;
export type ImpressionList = (typeof IMPRESSION_LISTS)[number];

/** One answer as it was shown. */
export interface Impression {
  readonly requestId: string;
  readonly list: ImpressionList;
  readonly userId?: string | undefined;
  readonly anonymousId?: string | undefined;
  readonly sessionId?: string | undefined;
  readonly itemIds: readonly string[];
  readonly experiment?: string | undefined;
  readonly variant?: string | undefined;
  readonly ranker: string;
  readonly degraded: boolean;
  readonly at: Date;
}

export type ImpressionVerdict =
  | { readonly ok: true; readonly event: EnrichedEvent }
  | { readonly ok: false; readonly reason: 'no_shopper' | 'empty' }
  | { readonly ok: false; readonly reason: 'invalid'; readonly problems: readonly FieldProblem[] };

/** The impression as an enriched event, validated by the same validators as the collector uses. */
export function impressionEvent(impression: Impression, validators: ContractValidators): ImpressionVerdict {
  // Every event is keyed by its shopper; an answer for nobody in particular cannot be attributed.
  if (impression.userId === undefined && impression.anonymousId === undefined)
    return { ok: false, reason: 'no_shopper' };
  if (impression.itemIds.length === 0) return { ok: false, reason: 'empty' };
  const at = impression.at.toISOString();
  const candidate = {
    type: 'impression',
    event_id: `imp:${impression.requestId}`,
    ...(impression.userId === undefined ? {} : { user_id: impression.userId }),
    ...(impression.anonymousId === undefined ? {} : { anonymous_id: impression.anonymousId }),
    ...(impression.sessionId === undefined ? {} : { session_id: impression.sessionId }),
    request_id: impression.requestId,
    timestamp: at,
    item_ids: impression.itemIds.slice(0, IMPRESSION_MAX_ITEMS),
    list: impression.list,
    properties: {
      experiment: impression.experiment ?? '',
      variant: impression.variant ?? '',
      ranker: impression.ranker,
      degraded: impression.degraded,
    },
  };
  const verdict = validators.validateEvent(candidate);
  if (!verdict.ok) return { ok: false, reason: 'invalid', problems: verdict.problems };
  const event: ClickstreamEvent = verdict.value;
  return {
    ok: true,
    event: {
      ...event,
      schema_version: EVENT_SCHEMA_VERSION,
      received_at: at,
      event_time: at,
      source: IMPRESSION_SOURCE,
    },
  };
}
