/**
 * Re-submits parked records after a fix (a contract change, a client bug fixed, ClickHouse back).
 *
 * Reads `failed_events` in the order they failed, page by page, and runs each record through the
 * collector's own intake: validation, enrichment, Kafka. Records that pass are published like any
 * new event; records still refused are parked again with their new reasons (source
 * `replay:/v1/...`), so nothing is lost either way. Replaying twice is harmless: accepted events
 * keep their event ids, and the sink and the feature service apply each id once.
 *
 * A replay ends: it reads only what had failed when it started (`until` defaults to its start), and
 * skips the records an earlier replay parked again (source `replay:...`) unless asked for them, so
 * it never reads its own re-parks. Events the sink could not store keep their write-key source and
 * their event time; a parked item deletion deletes the item again.
 */
import { sql, type ClickHouse } from '@recstream/clickhouse';
import type { ContractValidators, EnrichedEvent, FieldProblem } from '@recstream/schemas';
import { judgeEvents } from '../handlers/intake.js';
import type { EventClock } from '../handlers/enrich.js';
import type { Publisher, RefusedRecord } from '../handlers/event-publisher.js';
import type { ParsedRecord } from '../routes/batch-body.js';
import { parkedRecord, type FailedEventRow } from './parked-record.js';

export interface ReplayFilter {
  /** Failed at or after (UTC). */
  readonly since?: Date;
  /** Failed before (UTC); default: when the replay started. */
  readonly until?: Date;
  /** Also records a replay refused and parked again (source `replay:...`); default false. */
  readonly includeReplayed?: boolean;
  /** `validate`, `sink`, ... */
  readonly step?: string;
  /** Only records whose reason contains this text. */
  readonly reasonContains?: string;
  readonly limit?: number;
}

export interface ReplayDeps {
  readonly clickhouse: ClickHouse;
  readonly validators: ContractValidators;
  readonly publisher: Publisher;
  readonly clock: EventClock;
  /** Count and judge, publish nothing. */
  readonly dryRun?: boolean;
  readonly pageSize?: number;
  readonly now?: () => Date;
  readonly onProgress?: (report: ReplayReport) => void;
}

export interface ReplayReport {
  examined: number;
  /** Passed the checks: published (or would be, in a dry run). */
  accepted: number;
  /** Still refused: parked again with their reasons (not in a dry run). */
  refused: number;
  /** The most frequent reasons records are still refused, with counts. */
  refusedReasons: Record<string, number>;
  dryRun: boolean;
}

const REPLAY_SOURCE = 'dlq-replay';

function whereClause(filter: ReplayFilter): string {
  const conditions = ['1'];
  if (filter.since !== undefined) conditions.push(sql`failed_at >= ${filter.since}`);
  if (filter.until !== undefined) conditions.push(sql`failed_at < ${filter.until}`);
  if (filter.step !== undefined) conditions.push(sql`step = ${filter.step}`);
  if (filter.reasonContains !== undefined)
    conditions.push(sql`position(reason, ${filter.reasonContains}) > 0`);
  if (filter.includeReplayed !== true) conditions.push(sql`position(source, ${'replay:'}) != 1`);
  return conditions.join(' AND ');
}

/** How many rows the filter selects, for a progress bar's total. */
export async function countParked(clickhouse: ClickHouse, filter: ReplayFilter): Promise<number> {
  const rows = await clickhouse.query<{ n: string }>(
    `SELECT count() AS n FROM failed_events WHERE ${whereClause(filter)}`,
  );
  const total = Number(rows[0]?.n ?? 0);
  return filter.limit === undefined ? total : Math.min(total, filter.limit);
}

function describe(problems: readonly FieldProblem[]): string {
  return problems.map((problem) => `${problem.field} ${problem.reason}`).join('; ');
}

export async function replayParked(options: ReplayFilter, deps: ReplayDeps): Promise<ReplayReport> {
  const pageSize = deps.pageSize ?? 1000;
  const now = deps.now ?? (() => new Date());
  const filter: ReplayFilter = { ...options, until: options.until ?? now() };
  const report: ReplayReport = {
    examined: 0,
    accepted: 0,
    refused: 0,
    refusedReasons: {},
    dryRun: deps.dryRun === true,
  };
  const noteRefused = (refused: readonly RefusedRecord[]) => {
    report.refused += refused.length;
    for (const record of refused) {
      const reason = describe(record.problems);
      report.refusedReasons[reason] = (report.refusedReasons[reason] ?? 0) + 1;
    }
  };
  const where = whereClause(filter);
  // Keyset paging: stable while the sink keeps appending newer failures.
  let after: { failed_at: string; dlq_position: string } | undefined;
  for (;;) {
    const remaining =
      filter.limit === undefined ? pageSize : Math.min(pageSize, filter.limit - report.examined);
    if (remaining <= 0) break;
    const cursor =
      after === undefined
        ? '1'
        : sql`(failed_at, dlq_position) > (toDateTime(${after.failed_at}, 'UTC'), ${after.dlq_position})`;
    const rows = await deps.clickhouse.query<FailedEventRow>(
      `SELECT failed_at, source, step, reason, payload, dlq_position
       FROM failed_events WHERE ${where} AND ${cursor}
       ORDER BY failed_at, dlq_position LIMIT ${remaining}`,
    );
    if (rows.length === 0) break;
    const last = rows[rows.length - 1];
    if (last !== undefined) after = { failed_at: last.failed_at, dlq_position: last.dlq_position };
    report.examined += rows.length;

    const eventsBySource = new Map<string, ParsedRecord[]>();
    const items: unknown[] = [];
    const deletions: string[] = [];
    const unreadable: RefusedRecord[] = [];
    for (const row of rows) {
      const parked = parkedRecord(row);
      if (parked.kind === 'unreadable')
        unreadable.push({ raw: parked.raw, problems: [{ field: '/', reason: parked.reason }] });
      else if (parked.kind === 'deletion') deletions.push(parked.itemId);
      else if (parked.kind === 'item') items.push(parked.value);
      else {
        const source = parked.source ?? REPLAY_SOURCE;
        const group = eventsBySource.get(source) ?? [];
        group.push({ ok: true, value: parked.value });
        eventsBySource.set(source, group);
      }
    }

    const receivedAt = now();
    const verdict = { accepted: [] as EnrichedEvent[], refused: [] as RefusedRecord[] };
    for (const [source, events] of eventsBySource) {
      const judged = judgeEvents(events, deps.validators, { ...deps.clock, receivedAt, source });
      verdict.accepted.push(...judged.accepted);
      verdict.refused.push(...judged.refused);
    }
    const itemVerdicts = items.map((item) => ({ item, verdict: deps.validators.validateItem(item) }));
    const validItems = itemVerdicts.flatMap(({ verdict: v }) => (v.ok ? [v.value] : []));
    const refusedItems = itemVerdicts.flatMap(({ item, verdict: v }) =>
      v.ok ? [] : [{ raw: JSON.stringify(item), problems: v.problems }],
    );
    const refusedEvents = [...verdict.refused, ...unreadable];
    report.accepted += verdict.accepted.length + validItems.length + deletions.length;
    noteRefused(refusedEvents);
    noteRefused(refusedItems);
    if (deps.dryRun !== true) {
      await deps.publisher.publishEvents(verdict.accepted);
      await deps.publisher.publishItems(validItems);
      await deps.publisher.deleteItems(deletions);
      await deps.publisher.parkRefused(refusedEvents, '/v1/events', 'replay');
      await deps.publisher.parkRefused(refusedItems, '/v1/items', 'replay');
    }
    deps.onProgress?.(report);
    if (rows.length < remaining) break;
  }
  return report;
}
