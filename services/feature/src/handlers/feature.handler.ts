/**
 * Per-batch logic of the feature service. Item messages update the catalog metadata; event
 * messages are compiled into feature operations and applied exactly once in effect (see
 * store/feature-store.ts). One result per message: late events are counted and left out; a
 * message that can never be applied is parked in the DLQ with the reason, on its own, so the
 * partition moves on (one that is not valid JSON, breaks the event contract, or that Redis refuses
 * on its own); a transient Redis failure (connection, timeout, a busy or full Redis) retries the
 * batch. A failure no single message causes (the catalog lookup refused) retries too: parking every
 * message would empty the stream into the DLQ.
 *
 * Events are checked against the contract here although the collector checks them: Kafka has no
 * auth, so anything can reach the topic, and what the compiler or the Lua step cannot read must be
 * refused before it reaches Redis (a Lua step failing half-way cannot be undone).
 */
import { ERROR_CODES, errorMessage, isTransient } from '@recstream/errors';
import { toItemMeta, type ItemMeta } from '@recstream/features';
import {
  dlq,
  drop,
  ok,
  retry,
  type BatchHandler,
  type KafkaMessage,
  type MessageResult,
} from '@recstream/kafka';
import {
  createValidators,
  decodeEnrichedEvent,
  type CatalogItem,
  type EnrichedEvent,
} from '@recstream/schemas';
import { compileEvent, eventItems, type CompileContext } from '../compile/event-ops.js';
import type { CompiledEvent } from '../store/ops.js';
import type { FeatureStore } from '../store/feature-store.js';
import type { ItemMetaWriter } from '../writers/item-meta.writer.js';

/** What the handler reports beyond per-message results (wired to Prometheus counters). */
export interface FeatureHandlerCounters {
  late(count: number): void;
  unknownItems(count: number): void;
  applied(count: number): void;
  duplicates(count: number): void;
  /** Events parked in the DLQ: unreadable, against the contract, or refused by Redis. */
  parked(count: number): void;
  /** How long after ingest received it an event became a feature, in seconds. */
  freshness(seconds: number): void;
}

export interface FeatureHandlerDeps {
  itemsTopic: string;
  store: FeatureStore;
  itemMeta: ItemMetaWriter;
  /** Catalog entries for the given items (undefined for unknown ones), in one round trip. */
  lookupItems(itemIds: readonly string[]): Promise<ReadonlyMap<string, ItemMeta | undefined>>;
  /** How many items the catalog holds (0: no catalog, every item is taken as known). */
  catalogSize(): Promise<number>;
  compileContext(
    itemMeta: ReadonlyMap<string, ItemMeta | undefined>,
    knownItemsOnly: boolean,
  ): CompileContext;
  /** Events that reached ingest more than this after they happened are not applied. */
  maxLatenessMs: number;
  counters: FeatureHandlerCounters;
}

function parse(message: KafkaMessage): unknown {
  return JSON.parse(message.value?.toString('utf8') ?? 'null');
}

const validators = createValidators();

/**
 * What the feature service needs of an event: both times (lateness is judged by them) and the
 * client part within the contract, since what the compiler or the Lua step cannot read must be
 * refused before it reaches Redis.
 */
const NEEDS = { times: ['event_time', 'received_at'], contract: validators } as const;

const refusedByStore = (reason: string) =>
  dlq('feature', ERROR_CODES.invalidInput, `the feature store refused the event: ${reason}`);

/** How late an event reached ingest: a property of the event, so a rebuild judges it the same way. */
export function lateness(event: EnrichedEvent): number {
  return Date.parse(event.received_at) - Date.parse(event.event_time);
}

async function applyItems(
  deps: FeatureHandlerDeps,
  messages: readonly KafkaMessage[],
): Promise<MessageResult[]> {
  const results: MessageResult[] = [];
  // The last message per item wins (as in the compacted topic); null marks a deletion.
  const latest = new Map<string, ItemMeta | null>();
  for (const message of messages) {
    if (message.value === null) {
      latest.set(message.key?.toString('utf8') ?? '', null);
      results.push(ok);
      continue;
    }
    try {
      const meta = toItemMeta(parse(message) as CatalogItem);
      latest.set(meta.itemId, meta);
      results.push(ok);
    } catch (error) {
      results.push(dlq('feature', ERROR_CODES.invalidInput, `undecodable item: ${errorMessage(error)}`));
    }
  }
  const upserts = [...latest.values()].filter((meta): meta is ItemMeta => meta !== null);
  const removals = [...latest].filter(([id, meta]) => meta === null && id !== '').map(([id]) => id);
  try {
    await deps.itemMeta.upsert(upserts);
    await deps.itemMeta.remove(removals);
  } catch (error) {
    // Redis failures arrive classified (@recstream/redis); anything else is refused for good.
    if (isTransient(error)) throw error;
    // Refused for good: one message at a time (writes are idempotent), parking those refused alone.
    if (messages.length === 1) return [refusedByStore(errorMessage(error))];
    const alone: MessageResult[] = [];
    for (const message of messages) alone.push(...(await applyItems(deps, [message])));
    return alone;
  }
  return results;
}

async function applyEvents(
  deps: FeatureHandlerDeps,
  partition: string,
  messages: readonly KafkaMessage[],
): Promise<MessageResult[]> {
  const results: MessageResult[] = [];
  const accepted: { event: EnrichedEvent; offset: string; result: number }[] = [];
  let late = 0;
  let parked = 0;
  for (const message of messages) {
    const decoded = decodeEnrichedEvent(message.value, NEEDS);
    if (!decoded.ok) {
      results.push(dlq('feature', ERROR_CODES.invalidInput, decoded.refusal.reason));
      parked += 1;
      continue;
    }
    const { event } = decoded;
    if (lateness(event) > deps.maxLatenessMs) {
      late += 1;
      results.push(drop(`late by more than ${deps.maxLatenessMs} ms`));
      continue;
    }
    accepted.push({ event, offset: message.offset, result: results.length });
    results.push(ok);
  }
  deps.counters.late(late);
  const itemIds = [...new Set(accepted.flatMap(({ event }) => eventItems(event)))];
  const [catalog, catalogSize] = await Promise.all([deps.lookupItems(itemIds), deps.catalogSize()]);
  deps.counters.unknownItems(itemIds.filter((id) => catalog.get(id) === undefined).length);
  const ctx = deps.compileContext(catalog, catalogSize > 0);
  const compiled: CompiledEvent[] = [];
  const compiledFrom: (typeof accepted)[number][] = [];
  for (const entry of accepted) {
    try {
      compiled.push({
        eventId: entry.event.event_id,
        offset: entry.offset,
        receivedAtMs: Date.parse(entry.event.received_at),
        ops: compileEvent(ctx, entry.event),
      });
      compiledFrom.push(entry);
    } catch (error) {
      results[entry.result] = dlq(
        'feature',
        ERROR_CODES.invalidInput,
        `uncompilable event: ${errorMessage(error)}`,
      );
      parked += 1;
    }
  }
  let refused = 0;
  const applied = await deps.store.apply(partition, compiled, 'live', (index, reason) => {
    const entry = compiledFrom[index];
    if (entry === undefined) return;
    results[entry.result] = refusedByStore(reason);
    refused += 1;
  });
  const appliedAt = Date.now();
  for (const { event } of compiledFrom)
    deps.counters.freshness((appliedAt - Date.parse(event.received_at)) / 1000);
  deps.counters.applied(applied);
  deps.counters.duplicates(compiled.length - refused - applied);
  deps.counters.parked(parked + refused);
  return results;
}

export function createFeatureHandler(deps: FeatureHandlerDeps): BatchHandler {
  return async (messages, context) => {
    try {
      return context.topic === deps.itemsTopic
        ? await applyItems(deps, messages)
        : await applyEvents(deps, `${context.topic}/${context.partition}`, messages);
    } catch (error) {
      // Redis failed for the batch (transient, or a failure no message causes): nothing in it is
      // known to be applied; all of it is tried again (the offset watermark and seen-id sets make
      // the retry safe).
      return messages.map(() => retry(error));
    }
  };
}
