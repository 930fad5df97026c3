/**
 * The tracking SDK against the real collector (built in-process, listening on a real port, with
 * write keys in the local Redis) and the real Kafka: what a shop tracks reaches the events topic
 * exactly once, with the write key's source; a 503 from the collector is retried after its
 * Retry-After and still lands once; a lost response is retried with the same event ids (the
 * collector's downstream dedups on them); refusals and a wrong write key are reported, not retried.
 */
import type { AddressInfo } from 'node:net';
import t, { type Test } from 'tap';
import { ERROR_CODES, TransientError } from '@recstream/errors';
import type { EnrichedEvent } from '@recstream/schemas';
import {
  createFetchTransport,
  createTracker,
  type DeliveryFailure,
  type FetchLike,
  type RefusedEvent,
  type TrackResult,
  type Transport,
  type TrackerOptions,
} from '@recstream/sdk';
import { readTopic, testNamespace, testTopics } from '@recstream/testing';
import { collectorApp, kafkaCollector } from '../support/collector-app.js';

const ns = testNamespace('sdk');
const topics = testTopics(ns);
const SOURCE = 'sdk-test-shop';

/** The collector on a real port: real validators, real Kafka publisher, write keys in Redis. */
async function startCollector(t: Test) {
  const kafka = await kafkaCollector(t, ns);
  const publisher = kafka.publisher;
  /** When set, the next produce fails as an unacknowledged one does: the collector answers 503. */
  let failNextPublish = false;
  const collector = {
    ...kafka,
    publisher: {
      ...publisher,
      publishEvents: (events: readonly EnrichedEvent[]) => {
        if (!failNextPublish) return publisher.publishEvents(events);
        failNextPublish = false;
        return Promise.reject(
          new TransientError(ERROR_CODES.unavailable, 'kafka did not acknowledge within 10000 ms'),
        );
      },
    },
  };
  const { app, store } = await collectorApp(t, collector, {
    maxBodyBytes: 5 * 1024 * 1024,
    maxFutureSkewMs: 5 * 60 * 1000,
  });
  const { key: writeKey } = await store.create({
    source: SOURCE,
    limit: { ratePerSecond: 10_000, burst: 10_000 },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    writeKey,
    failNextPublish: () => void (failNextPublish = true),
  };
}

/** What the tracker reported, and a tracker with these options on the collector. */
function tracked(endpoint: string, options: Partial<TrackerOptions>) {
  const refused: RefusedEvent[] = [];
  const failures: DeliveryFailure[] = [];
  const tracker = createTracker({
    endpoint,
    flushIntervalMs: 100,
    backoff: { baseMs: 50, maxMs: 200 },
    onRefused: (events) => refused.push(...events),
    onError: (failure) => failures.push(failure),
    ...options,
  });
  return { tracker, refused, failures };
}

/** How many times each of `ids` is on the events topic, read up to its end. */
async function copiesOnTopic(ids: readonly string[]): Promise<Map<string, EnrichedEvent[]>> {
  const wanted = new Set(ids);
  const copies = new Map<string, EnrichedEvent[]>(ids.map((id) => [id, []]));
  for (const message of await readTopic(topics.events)) {
    const event = JSON.parse(message.value ?? 'null') as EnrichedEvent;
    if (wanted.has(event.event_id)) copies.get(event.event_id)?.push(event);
  }
  return copies;
}

const idOf = (result: TrackResult) => result.eventId;

/** A transport over the real fetch that lets a test see and disturb each request. */
function observed(
  around: (send: Transport, request: Parameters<Transport>[0], attempt: number) => ReturnType<Transport>,
) {
  const inner = createFetchTransport();
  let attempt = 0;
  const transport: Transport = (request) => around(inner, request, attempt++);
  return transport;
}

t.test('sdk → collector → kafka', async (t) => {
  const collector = await startCollector(t);

  t.test('tracked events reach the topic exactly once, with the write key’s source', async (t) => {
    // Record what goes on the wire: the body is gzipped above 1 KiB and the collector must take it.
    const encodings: (string | undefined)[] = [];
    const fetch: FetchLike = (url, init) => {
      encodings.push(init.headers['content-encoding']);
      return globalThis.fetch(url, init);
    };
    const { tracker, refused, failures } = tracked(collector.endpoint, {
      writeKey: collector.writeKey,
      transport: createFetchTransport({ fetch }),
      batchSize: 10,
    });
    const ids: string[] = [];
    for (let i = 0; i < 4; i += 1) {
      tracker.identify({ user_id: `sdk-user-${i}`, session_id: `sdk-session-${i}` });
      ids.push(
        idOf(tracker.view({ item_id: `sku-${i}`, price: 12.5, currency: 'EUR' })),
        idOf(tracker.impression({ item_ids: ['sku-1', 'sku-2', 'sku-3'], list: 'home-top' })),
        idOf(tracker.click({ item_id: `sku-${i}`, position: i })),
        idOf(tracker.addToCart({ item_id: `sku-${i}`, quantity: 2, price: 12.5, currency: 'EUR' })),
        idOf(tracker.search({ query: 'lipstick', results_count: 3 })),
        idOf(
          tracker.purchase({
            order_id: `order-${i}`,
            items: [{ item_id: `sku-${i}`, price: 12.5, quantity: 2 }],
            currency: 'EUR',
          }),
        ),
      );
    }
    const bad = tracker.view({ item_id: 'not a valid id!' });
    await tracker.close();

    t.same(failures, [], 'nothing failed');
    t.same(
      refused.map((r) => [r.event.event_id, r.problems.map((p) => p.field)]),
      [[bad.eventId, ['/item_id']]],
      'the invalid event is reported with its field, once',
    );
    t.ok(encodings.includes('gzip'), 'large batches travel gzipped');
    const copies = await copiesOnTopic([...ids, bad.eventId]);
    t.same(
      ids.filter((id) => copies.get(id)?.length !== 1),
      [],
      `each of the ${ids.length} events is on the topic exactly once`,
    );
    t.equal(copies.get(bad.eventId)?.length, 0, 'the refused one is not');
    const purchase = copies.get(ids[5] ?? '')?.[0];
    t.match(purchase, {
      type: 'purchase',
      user_id: 'sdk-user-0',
      session_id: 'sdk-session-0',
      order_id: 'order-0',
      items: [{ item_id: 'sku-0', price: 12.5, quantity: 2 }],
      source: SOURCE,
      schema_version: 1,
    });
    t.equal(tracker.pending, 0);
  });

  t.test('a 503 is retried after Retry-After and lands once', async (t) => {
    const attempts: { status: number; at: number; ids: string[] }[] = [];
    const transport = observed(async (send, request) => {
      const response = await send(request);
      const ids = (JSON.parse(request.body) as { event_id: string }[]).map((e) => e.event_id);
      attempts.push({ status: response.status, at: Date.now(), ids });
      return response;
    });
    const { tracker, refused, failures } = tracked(collector.endpoint, {
      writeKey: collector.writeKey,
      transport,
    });
    collector.failNextPublish();
    const ids = Array.from({ length: 5 }, (_, i) =>
      idOf(tracker.view({ user_id: 'sdk-retry-user', item_id: `sku-${i}` })),
    );
    await tracker.flush();

    t.same(
      attempts.map((a) => a.status),
      [503, 202],
      'refused while Kafka is away, accepted on the retry',
    );
    t.same(attempts[1]?.ids, attempts[0]?.ids, 'the retry carries the same event ids');
    t.same(attempts[0]?.ids, ids);
    const waited = (attempts[1]?.at ?? 0) - (attempts[0]?.at ?? 0);
    t.ok(waited >= 1000, `waited ${waited} ms: the collector asked for Retry-After: 1`);
    t.same(failures, []);
    t.same(refused, []);
    const copies = await copiesOnTopic(ids);
    t.same(
      ids.map((id) => copies.get(id)?.length),
      [1, 1, 1, 1, 1],
      'no duplicate on the topic',
    );
    await tracker.close();
  });

  t.test('a response lost after Kafka acknowledged: the retry reuses the ids', async (t) => {
    const transport = observed(async (send, request, attempt) => {
      const response = await send(request);
      if (attempt === 0) throw new Error('socket hang up'); // the collector answered; we never heard
      return response;
    });
    const { tracker, failures } = tracked(collector.endpoint, { writeKey: collector.writeKey, transport });
    const ids = Array.from({ length: 3 }, (_, i) =>
      idOf(tracker.view({ user_id: 'sdk-lost-user', item_id: `sku-${i}` })),
    );
    await tracker.close();
    t.same(failures, []);
    const copies = await copiesOnTopic(ids);
    // At-least-once into Kafka: both copies carry the same event_id, which the sink (ReplacingMergeTree)
    // and the feature service (seen-marker) collapse. Fresh ids on the retry would double-count.
    t.same(
      ids.map((id) => copies.get(id)?.map((e) => e.event_id)),
      ids.map((id) => [id, id]),
    );
  });

  t.test('a wrong write key is reported once, not retried', async (t) => {
    let requests = 0;
    const transport = observed((send, request) => {
      requests += 1;
      return send(request);
    });
    const { tracker, failures } = tracked(collector.endpoint, {
      writeKey: 'rk_0000000000000000000000000000000000000000000',
      transport,
    });
    const { eventId } = tracker.view({ user_id: 'sdk-key-user', item_id: 'sku-1' });
    await tracker.close();
    t.equal(requests, 1);
    t.equal(failures.length, 1);
    t.match(failures[0], { kind: 'request_refused', status: 401 });
    t.same(
      failures[0]?.events.map((e) => e.event_id),
      [eventId],
    );
    t.equal((await copiesOnTopic([eventId])).get(eventId)?.length, 0);
  });
});
