/**
 * What every answer promised, and whether ClickHouse kept the promise. A record answered as
 * accepted (202, its index not among `rejected`) must end up in `events` (or `items FINAL`)
 * exactly once, or in `failed_events` with a reason; a record answered as refused must not be
 * stored. Answers that promise nothing (503, a reset, a hang) leave their records "unknown".
 */
import type { ClickHouse } from '@recstream/clickhouse';
import type { Outcome } from './http-client.js';
import type { Tracked, TrackedKind, WireRequest } from './materialize.js';

export interface AcceptedRecord {
  readonly kind: TrackedKind;
  /** Who sent it: `hostile`, `steady`, or a chaos scenario. */
  readonly client: string;
  /** The input (or request) number that carried it, for the reproduction. */
  readonly input: number;
}

export class Ledger {
  readonly accepted = new Map<string, AcceptedRecord>();
  readonly refused = new Set<string>();
  /** Answers whose accepted count disagrees with the records we could trace. */
  readonly countMismatches: { input: number; answered: number; traced: number }[] = [];
  /** 202 answers for requests in which we traced no record. */
  untracedAccepted = 0;

  /** Reads a collector answer for `request`. */
  note(request: WireRequest, outcome: Outcome, client: string, input: number): void {
    const records = request.records;
    if (outcome.status === 202) {
      let answer: { accepted?: number; rejected?: { index?: number }[] } = {};
      try {
        answer = JSON.parse(outcome.body) as typeof answer;
      } catch {
        // checked by the caller: a 202 must carry a JSON answer
      }
      const rejected = new Set((answer.rejected ?? []).map((r) => r.index));
      let traced = 0;
      records.forEach((record, index) => {
        if (rejected.has(index)) {
          if (record !== undefined) this.refused.add(record.id);
          return;
        }
        traced += 1;
        if (record !== undefined) this.accepted.set(record.id, { kind: record.kind, client, input });
      });
      if (records.length === 0) this.untracedAccepted += 1;
      else if (typeof answer.accepted === 'number' && answer.accepted !== traced)
        this.countMismatches.push({ input, answered: answer.accepted, traced });
      return;
    }
    if (outcome.status !== undefined && outcome.status >= 400 && outcome.status < 500) {
      for (const record of records) if (record !== undefined) this.refused.add(record.id);
    }
  }

  /** Marks records accepted directly (clients that know their own ids). */
  accept(records: readonly Tracked[], client: string, input: number): void {
    for (const record of records) this.accepted.set(record.id, { kind: record.kind, client, input });
  }
}

export interface StoreCheck {
  /** Accepted records, by client. */
  readonly accepted: Record<string, number>;
  readonly stored: Record<string, number>;
  /** Accepted, not stored, but parked in failed_events with a reason. */
  readonly parked: Record<string, number>;
  readonly lost: Record<string, number>;
  /** Accepted and stored more than once (extra rows). */
  readonly duplicated: Record<string, number>;
  /** Ids stored more than once in `events`, whoever sent them (serving's impressions included). */
  readonly duplicateRowsInEvents: number;
  /** Records answered as refused, yet stored. */
  readonly refusedButStored: number;
  /** A few examples of each failure, with the input that carried them. */
  readonly examples: {
    lost: { id: string; record: AcceptedRecord }[];
    duplicated: { id: string; rows: number; record: AcceptedRecord }[];
    parked: { id: string; reason: string; record: AcceptedRecord }[];
    refusedButStored: string[];
  };
}

interface StoredState {
  readonly events: Map<string, number>;
  readonly items: Map<string, { rows: number; deleted: boolean }>;
  /** Parked by the sink (not refused at intake): id → reason. */
  readonly parked: Map<string, string>;
}

async function readStore(clickhouse: ClickHouse): Promise<StoredState> {
  const events = new Map<string, number>();
  for (const row of await clickhouse.query<{ event_id: string; n: string }>(
    'SELECT event_id, count() AS n FROM events GROUP BY event_id',
  ))
    events.set(row.event_id, Number(row.n));
  const items = new Map<string, { rows: number; deleted: boolean }>();
  const rows = await clickhouse.query<{ item_id: string; n: string }>(
    'SELECT item_id, count() AS n FROM items GROUP BY item_id',
  );
  const latest = await clickhouse.query<{ item_id: string; is_deleted: number }>(
    'SELECT item_id, is_deleted FROM items FINAL',
  );
  const deleted = new Map(latest.map((r) => [r.item_id, Number(r.is_deleted) === 1]));
  for (const row of rows)
    items.set(row.item_id, { rows: Number(row.n), deleted: deleted.get(row.item_id) ?? false });
  const parked = new Map<string, string>();
  for (const row of await clickhouse.query<{ event_id: string; reason: string; payload: string }>(
    "SELECT event_id, reason, substring(payload, 1, 400) AS payload FROM failed_events WHERE step != 'validate'",
  )) {
    const id = row.event_id !== '' ? row.event_id : (/"item_id":"([^"]+)"/.exec(row.payload)?.[1] ?? '');
    if (id !== '') parked.set(id, row.reason);
  }
  return { events, items, parked };
}

/** How many of `id`'s copies the store holds where an accepted record of `kind` belongs. */
function copies(state: StoredState, id: string, kind: TrackedKind): number {
  if (kind === 'event') return state.events.get(id) ?? 0;
  const item = state.items.get(id);
  if (item === undefined) return 0;
  // items is a ReplacingMergeTree: FINAL holds one row per item; it must say what was asked.
  return item.deleted === (kind === 'deletion') ? 1 : 0;
}

/** Compares the ledger with ClickHouse once. */
export async function checkStore(clickhouse: ClickHouse, ledger: Ledger): Promise<StoreCheck> {
  const state = await readStore(clickhouse);
  const count = (target: Record<string, number>, client: string, by = 1) =>
    (target[client] = (target[client] ?? 0) + by);
  const accepted: Record<string, number> = {};
  const stored: Record<string, number> = {};
  const parked: Record<string, number> = {};
  const lost: Record<string, number> = {};
  const duplicated: Record<string, number> = {};
  const examples: StoreCheck['examples'] = { lost: [], duplicated: [], parked: [], refusedButStored: [] };
  for (const [id, record] of ledger.accepted) {
    count(accepted, record.client);
    const n = copies(state, id, record.kind);
    if (n >= 1) count(stored, record.client);
    if (n > 1) {
      count(duplicated, record.client, n - 1);
      if (examples.duplicated.length < 5) examples.duplicated.push({ id, rows: n, record });
    }
    if (n === 0) {
      const reason = state.parked.get(id);
      if (reason !== undefined && reason !== '') {
        count(parked, record.client);
        if (examples.parked.length < 5) examples.parked.push({ id, reason: reason.slice(0, 300), record });
      } else {
        count(lost, record.client);
        if (examples.lost.length < 5) examples.lost.push({ id, record });
      }
    }
  }
  let refusedButStored = 0;
  for (const id of ledger.refused) {
    if ((state.events.get(id) ?? 0) > 0 || (state.items.get(id)?.rows ?? 0) > 0) {
      refusedButStored += 1;
      if (examples.refusedButStored.length < 5) examples.refusedButStored.push(id);
    }
  }
  let duplicateRowsInEvents = 0;
  for (const n of state.events.values()) if (n > 1) duplicateRowsInEvents += n - 1;
  return { accepted, stored, parked, lost, duplicated, duplicateRowsInEvents, refusedButStored, examples };
}

const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

/**
 * Polls until every accepted record is stored or parked, or nothing has changed for `quietMs`
 * (the sink has drained what it will), then returns the last comparison.
 */
export async function settle(
  clickhouse: ClickHouse,
  ledger: Ledger,
  options: { timeoutMs: number; quietMs: number; log?: (line: string) => void },
): Promise<StoreCheck> {
  const deadline = Date.now() + options.timeoutMs;
  let last = await checkStore(clickhouse, ledger);
  let lastChange = Date.now();
  while (total(last.lost) > 0 && Date.now() < deadline && Date.now() - lastChange < options.quietMs) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const next = await checkStore(clickhouse, ledger);
    if (total(next.lost) !== total(last.lost)) lastChange = Date.now();
    options.log?.(`settling: ${total(next.lost)} accepted records not stored yet`);
    last = next;
  }
  return last;
}

export { total };
