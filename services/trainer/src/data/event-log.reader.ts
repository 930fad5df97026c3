/**
 * What the trainer reads from the ClickHouse behaviour log. Interactions are the events that say
 * a shopper engaged with items — view, click, add to cart, purchase (each line item) — keyed by
 * the shopper (`user_id`, else `anonymous_id`, as the events topic is). Positions (partition,
 * offset) come along so a batch can be cut exactly at the watermark.
 */
import { fragment, sql, type ClickHouse } from '@recstream/clickhouse';
import { EVENT_MS_SQL, RECEIVED_MS_SQL, SHOPPER_SQL, type EventRow } from '@recstream/schemas';
import {
  beyondCondition,
  learnedCondition,
  takeInArrivalOrder,
  type LogPosition,
  type Watermark,
} from '../watermark/watermark.js';

/** One interaction event: a shopper and the items it touched, in event-time order. */
export interface LogEvent extends LogPosition {
  readonly eventId: string;
  readonly type: string;
  readonly user: string;
  readonly items: readonly string[];
  readonly eventMs: number;
}

export const INTERACTION_TYPES = ['view', 'click', 'add_to_cart', 'purchase'] as const;

/** A row of `COLUMNS`; UInt64 values come back as text. */
type InteractionRow = Pick<EventRow, 'event_id' | 'type' | 'kafka_partition' | 'kafka_offset'> & {
  user: string;
  items: string[];
  event_ms: number | string;
  received_ms: number | string;
};

const COLUMNS = fragment(`event_id, type, ${SHOPPER_SQL} AS user,
  if(type = 'purchase', item_ids, [item_id]) AS items,
  kafka_partition, kafka_offset,
  ${EVENT_MS_SQL} AS event_ms,
  ${RECEIVED_MS_SQL} AS received_ms`);

const INTERACTIONS = sql`has(${[...INTERACTION_TYPES]}, type)`;

function toEvent(row: InteractionRow): LogEvent {
  return {
    eventId: row.event_id,
    type: row.type,
    user: row.user,
    items: row.items.filter((item) => item !== ''),
    partition: Number(row.kafka_partition),
    offset: Number(row.kafka_offset),
    eventMs: Number(row.event_ms),
    receivedMs: Number(row.received_ms),
  };
}

/** Orders one shopper's events as they happened (offset breaks ties: same partition, same order). */
export function byEventTime(a: LogEvent, b: LogEvent): number {
  return a.eventMs - b.eventMs || a.partition - b.partition || a.offset - b.offset;
}

/**
 * The next batch beyond `watermark`: at most `max` interaction events, a prefix of every
 * partition, in arrival order. Each partition contributes at most `max` rows to the query, so the
 * read is bounded by partitions × max whatever the backlog.
 */
export async function readBatch(
  clickhouse: ClickHouse,
  watermark: Watermark,
  max: number,
): Promise<LogEvent[]> {
  const rows = await clickhouse.query<InteractionRow>(sql`
    SELECT ${COLUMNS} FROM events FINAL
    WHERE ${fragment(INTERACTIONS)} AND ${fragment(beyondCondition(watermark))}
    ORDER BY kafka_partition, kafka_offset
    LIMIT ${max} BY kafka_partition`);
  return takeInArrivalOrder(
    rows.map(toEvent).filter((event) => event.items.length > 0 && event.user !== ''),
    max,
  );
}

/**
 * The most recent `maxEvents` interactions of each shopper in `users` that `watermark` covers,
 * oldest first: the history a shopper's new events continue.
 */
export async function readHistories(
  clickhouse: ClickHouse,
  users: readonly string[],
  watermark: Watermark,
  maxEvents: number,
): Promise<Map<string, LogEvent[]>> {
  const histories = new Map<string, LogEvent[]>();
  if (users.length === 0 || Object.keys(watermark).length === 0) return histories;
  const rows = await clickhouse.queryWithTable<InteractionRow>(
    sql`SELECT ${COLUMNS} FROM events FINAL
      WHERE ${fragment(INTERACTIONS)} AND ${fragment(learnedCondition(watermark))}
        AND ${fragment(SHOPPER_SQL)} IN (SELECT id FROM wanted)
      ORDER BY user, event_ms DESC, kafka_offset DESC
      LIMIT ${maxEvents} BY user`,
    { name: 'wanted', column: 'id', values: users },
  );
  for (const event of rows.map(toEvent)) {
    if (event.items.length === 0) continue;
    const history = histories.get(event.user);
    if (history === undefined) histories.set(event.user, [event]);
    else history.push(event);
  }
  for (const history of histories.values()) history.sort(byEventTime);
  return histories;
}

/**
 * A seeded sample of `count` shoppers the watermark covers, other than `exclude`: the replay that
 * keeps an update from forgetting what the rest of the shop does. The hash order is stable for a
 * seed, so a re-run of the same update replays the same shoppers.
 */
export async function sampleReplayUsers(
  clickhouse: ClickHouse,
  watermark: Watermark,
  exclude: readonly string[],
  count: number,
  seed: string,
): Promise<string[]> {
  if (count <= 0 || Object.keys(watermark).length === 0) return [];
  const rows = await clickhouse.queryWithTable<{ user: string }>(
    sql`SELECT user FROM (
        SELECT DISTINCT ${fragment(SHOPPER_SQL)} AS user FROM events
        WHERE ${fragment(INTERACTIONS)} AND ${fragment(learnedCondition(watermark))}
      )
      WHERE user != '' AND user NOT IN (SELECT id FROM excluded)
      ORDER BY sipHash64(concat(user, ${seed})) LIMIT ${count}`,
    { name: 'excluded', column: 'id', values: exclude.length === 0 ? [''] : exclude },
  );
  return rows.map((row) => row.user);
}

/** Which of `items` the catalog knows (present and not deleted). */
export async function readCatalogItems(
  clickhouse: ClickHouse,
  items: readonly string[],
): Promise<Set<string>> {
  if (items.length === 0) return new Set();
  const rows = await clickhouse.queryWithTable<{ item_id: string }>(
    sql`SELECT item_id FROM items FINAL WHERE item_id IN (SELECT id FROM wanted) AND is_deleted = 0`,
    { name: 'wanted', column: 'id', values: items },
  );
  return new Set(rows.map((row) => row.item_id));
}
