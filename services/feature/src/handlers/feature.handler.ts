/**
 * Per-batch logic of the feature service. Item messages update the catalog metadata; event
 * messages are compiled into feature operations and applied exactly once in effect (see
 * store/feature-store.ts). One result per message: Redis failures retry the batch, undecodable
 * messages are parked in the DLQ, late events are counted and left out.
 */
import { ERROR_CODES, errorMessage } from '@recstream/errors';
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
import type { CatalogItem, EnrichedEvent } from '@recstream/schemas';
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
  /** How long after ingest received it an event became a feature, in seconds. */
  freshness(seconds: number): void;
}

export interface FeatureHandlerDeps {
  itemsTopic: string;
  store: FeatureStore;
  itemMeta: ItemMetaWriter;
  /** Catalog entries for the given items (undefined for unknown ones), in one round trip. */
  lookupItems(itemIds: readonly string[]): Promise<ReadonlyMap<string, ItemMeta | undefined>>;
  compileContext(itemMeta: ReadonlyMap<string, ItemMeta | undefined>): CompileContext;
  /** Events that reached ingest more than this after they happened are not applied. */
  maxLatenessMs: number;
  counters: FeatureHandlerCounters;
}

function parse(message: KafkaMessage): unknown {
  return JSON.parse(message.value?.toString('utf8') ?? 'null');
}

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
  await deps.itemMeta.upsert(upserts);
  await deps.itemMeta.remove(removals);
  return results;
}

async function applyEvents(
  deps: FeatureHandlerDeps,
  partition: string,
  messages: readonly KafkaMessage[],
): Promise<MessageResult[]> {
  const results: MessageResult[] = [];
  const accepted: { event: EnrichedEvent; offset: string }[] = [];
  let late = 0;
  for (const message of messages) {
    let event: EnrichedEvent;
    try {
      event = parse(message) as EnrichedEvent;
    } catch (error) {
      results.push(dlq('feature', ERROR_CODES.invalidInput, `undecodable event: ${errorMessage(error)}`));
      continue;
    }
    if (
      typeof event !== 'object' ||
      event === null ||
      typeof event.event_id !== 'string' ||
      Number.isNaN(Date.parse(event.event_time)) ||
      Number.isNaN(Date.parse(event.received_at))
    ) {
      results.push(dlq('feature', ERROR_CODES.invalidInput, 'event_id, event_time or received_at missing'));
      continue;
    }
    if (lateness(event) > deps.maxLatenessMs) {
      late += 1;
      results.push(drop(`late by more than ${deps.maxLatenessMs} ms`));
      continue;
    }
    accepted.push({ event, offset: message.offset });
    results.push(ok);
  }
  deps.counters.late(late);
  const itemIds = [...new Set(accepted.flatMap(({ event }) => eventItems(event)))];
  const catalog = await deps.lookupItems(itemIds);
  deps.counters.unknownItems(itemIds.filter((id) => catalog.get(id) === undefined).length);
  const ctx = deps.compileContext(catalog);
  const compiled: CompiledEvent[] = accepted.map(({ event, offset }) => ({
    eventId: event.event_id,
    offset,
    receivedAtMs: Date.parse(event.received_at),
    ops: compileEvent(ctx, event),
  }));
  const applied = await deps.store.apply(partition, compiled);
  const appliedAt = Date.now();
  for (const { event } of accepted)
    deps.counters.freshness((appliedAt - Date.parse(event.received_at)) / 1000);
  deps.counters.applied(applied);
  deps.counters.duplicates(compiled.length - applied);
  return results;
}

export function createFeatureHandler(deps: FeatureHandlerDeps): BatchHandler {
  return async (messages, context) => {
    try {
      return context.topic === deps.itemsTopic
        ? await applyItems(deps, messages)
        : await applyEvents(deps, `${context.topic}/${context.partition}`, messages);
    } catch (error) {
      // Redis failed: nothing in this batch is known to be applied; all of it is tried again
      // (the offset watermark and seen-id sets make the retry safe).
      return messages.map(() => retry(error));
    }
  };
}
