/**
 * Replaying a stream through the real pipeline (collector → Kafka → ClickHouse sink → trainer)
 * and measuring what it learned when: the pieces the online benchmark and the end-to-end test
 * share. The caller starts the services and owns the write key; nothing here reads the
 * environment.
 *
 *   sendBatch          POST /v1/events, the moment each batch was accepted (2xx) is the events' t0
 *   eventPositions     where the sink stored each event: (kafka_partition, kafka_offset)
 *   LiveVersionTimeline the live version over time, from the registry, with its watermark
 *   freshness          t0 → the first live version whose watermark covers the event
 */
import { sql, type ClickHouse } from '@recstream/clickhouse';

/** Per Kafka partition, the last offset a model version learned (the registry's watermark). */
export type Watermark = Readonly<Record<string, number>>;

/** The registry's view this needs: the live version of a model, as the trainer's registry answers it. */
export interface LiveVersionSource {
  live(model: string): Promise<{ readonly version: string; readonly watermark: Watermark } | undefined>;
}

/** A batch the collector accepted: when, and how many of its events (all, or it throws). */
export interface AcceptedBatch {
  readonly acceptedAtMs: number;
  readonly latencyMs: number;
}

/**
 * Sends one batch of events and resolves once the collector accepted every one of them (it
 * answers only after Kafka acknowledged). Anything less is an error naming the status and body:
 * a benchmark or test that silently lost events would measure nothing.
 */
export async function sendBatch(
  collectorUrl: string,
  writeKey: string,
  events: readonly unknown[],
): Promise<AcceptedBatch> {
  const started = Date.now();
  const response = await fetch(new URL('/v1/events', collectorUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-write-key': writeKey },
    body: JSON.stringify(events),
  });
  const body = await response.text();
  const acceptedAtMs = Date.now();
  if (response.status !== 202)
    throw new Error(
      `collector answered ${response.status} to a batch of ${events.length}: ${body.slice(0, 300)}`,
    );
  const { accepted } = JSON.parse(body) as { accepted?: number };
  if (accepted !== events.length)
    throw new Error(`collector accepted ${accepted} of ${events.length} events: ${body.slice(0, 300)}`);
  return { acceptedAtMs, latencyMs: acceptedAtMs - started };
}

/** Rows of `events` the sink has written (all types). */
export async function storedEvents(clickhouse: ClickHouse): Promise<number> {
  const [row] = await clickhouse.query<{ n: string }>('SELECT count() AS n FROM events');
  return Number(row?.n ?? 0);
}

/** Waits until ClickHouse holds at least `count` events, or fails after `timeoutMs`. */
export async function waitForStored(clickhouse: ClickHouse, count: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const stored = await storedEvents(clickhouse);
    if (stored >= count) return;
    if (Date.now() > deadline)
      throw new Error(`ClickHouse holds ${stored} events after ${timeoutMs} ms, expected ${count}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export interface EventPosition {
  readonly partition: number;
  readonly offset: number;
}

/** Where the sink stored each event, by event id (events the sink has not written are absent). */
export async function eventPositions(
  clickhouse: ClickHouse,
  eventIds: readonly string[],
): Promise<Map<string, EventPosition>> {
  const positions = new Map<string, EventPosition>();
  if (eventIds.length === 0) return positions;
  const rows = await clickhouse.queryWithTable<{
    event_id: string;
    kafka_partition: number | string;
    kafka_offset: number | string;
  }>(
    sql`SELECT event_id, kafka_partition, kafka_offset FROM events FINAL
      WHERE event_id IN (SELECT id FROM wanted)`,
    { name: 'wanted', column: 'id', values: [...eventIds] },
  );
  for (const row of rows)
    positions.set(row.event_id, { partition: Number(row.kafka_partition), offset: Number(row.kafka_offset) });
  return positions;
}

export interface LiveChange {
  readonly version: string;
  /** When the poll first saw it live (wall clock, ms). */
  readonly atMs: number;
  readonly watermark: Watermark;
}

/**
 * The live version of a model over time, as seen by polling the registry every `pollMs`. The
 * registry's state file is what serving's loader follows too, so "seen live here" is "servable".
 * Resolution is the poll interval.
 */
export class LiveVersionTimeline {
  readonly changes: LiveChange[] = [];
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> = Promise.resolve();

  constructor(
    private readonly registry: LiveVersionSource,
    private readonly model: string,
  ) {}

  start(pollMs: number): void {
    this.timer = setInterval(() => {
      this.polling = this.polling.then(() => this.poll());
    }, pollMs);
  }

  async poll(): Promise<void> {
    const live = await this.registry.live(this.model).catch(() => undefined);
    if (live !== undefined && live.version !== this.changes.at(-1)?.version)
      this.changes.push({ version: live.version, atMs: Date.now(), watermark: live.watermark });
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.polling;
  }

  /** The version live at `atMs` (the last change at or before it). */
  liveAt(atMs: number): LiveChange | undefined {
    let found: LiveChange | undefined;
    for (const change of this.changes) {
      if (change.atMs > atMs) break;
      found = change;
    }
    return found;
  }
}

export function covers(watermark: Watermark, position: EventPosition): boolean {
  const last = watermark[String(position.partition)];
  return last !== undefined && last >= position.offset;
}

/**
 * Freshness of learning per event: from its acceptance to the first live change whose watermark
 * covers it (later than the acceptance: a version cannot cover what was not yet accepted);
 * `undefined` when no live version learned it before the measurement ended (reported apart,
 * never dropped silently).
 */
export function learningDelays(
  events: readonly { readonly acceptedAtMs: number; readonly position: EventPosition | undefined }[],
  changes: readonly LiveChange[],
): (number | undefined)[] {
  return events.map(({ acceptedAtMs, position }) => {
    if (position === undefined) return undefined;
    const change = changes.find((c) => c.atMs >= acceptedAtMs && covers(c.watermark, position));
    return change === undefined ? undefined : change.atMs - acceptedAtMs;
  });
}
