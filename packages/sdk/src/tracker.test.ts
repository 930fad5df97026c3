import t, { type Test } from 'tap';
import type { DeliveryFailure, RefusedEvent, TrackerOptions } from './options.js';
import type { PageEnvironment } from './page-lifecycle.js';
import { createFakeClock, settle } from './testing/fake-clock.js';
import { accepted, createFakeTransport, json, type RecordedRequest } from './testing/fake-transport.js';
import { createTracker } from './tracker.js';

function setup(t: Test, overrides: Partial<TrackerOptions> = {}) {
  const clock = createFakeClock();
  const fake = createFakeTransport();
  const refused: RefusedEvent[] = [];
  const failures: DeliveryFailure[] = [];
  let ids = 0;
  const tracker = createTracker({
    endpoint: 'https://collect.shop.test',
    transport: fake.transport,
    clock,
    page: false,
    random: () => 0.5,
    generateId: () => `evt-${(ids += 1)}`,
    onRefused: (batch) => refused.push(...batch),
    onError: (failure) => failures.push(failure),
    ...overrides,
  });
  return { tracker, clock, fake, refused, failures };
}

const view = (n: number) => ({ type: 'view' as const, user_id: 'u1', item_id: `sku-${n}` });
const idsOf = (request: RecordedRequest | undefined) => request?.events.map((e) => e['event_id']);

t.test('a full batch is sent at once, in order, with filled ids and timestamps', async (t) => {
  const { tracker, fake, clock } = setup(t, { batchSize: 3 });
  tracker.track(view(1));
  tracker.track(view(2));
  await settle();
  t.equal(fake.requests.length, 0, 'two of three: waits');
  const result = tracker.track(view(3));
  t.same(result, { queued: true, eventId: 'evt-3' });
  await settle();
  t.equal(fake.requests.length, 1);
  const request = fake.requests[0];
  t.equal(request?.url, 'https://collect.shop.test/v1/events');
  t.same(request?.headers, { 'content-type': 'application/json' }, 'no write key header when none is set');
  t.equal(request?.keepalive, false);
  t.same(idsOf(request), ['evt-1', 'evt-2', 'evt-3']);
  t.same(request?.events[0], {
    type: 'view',
    user_id: 'u1',
    item_id: 'sku-1',
    event_id: 'evt-1',
    timestamp: new Date(clock.now()).toISOString(),
  });
  await settle();
  t.equal(tracker.pending, 0, 'delivered events are released');
});

t.test('a partial batch is sent when the interval elapses after the first event', async (t) => {
  const { tracker, fake, clock } = setup(t, { flushIntervalMs: 2000 });
  tracker.track(view(1));
  await clock.advance(1000);
  tracker.track(view(2));
  await clock.advance(999);
  t.equal(fake.requests.length, 0);
  await clock.advance(1);
  t.same(idsOf(fake.requests[0]), ['evt-1', 'evt-2']);
  t.same(clock.pendingDelays(), [], 'no timer left once the queue is empty');
});

t.test('flush() sends now and resolves once the events are delivered', async (t) => {
  const { tracker, fake, clock } = setup(t);
  tracker.track(view(1));
  tracker.track(view(2));
  let done = false;
  const gate = fake.hold();
  const flushed = tracker.flush().then(() => (done = true));
  await settle();
  t.equal(fake.requests.length, 1);
  t.equal(done, false, 'still in flight');
  t.equal(clock.holds, 1, 'an awaited flush keeps the process alive');
  gate.release();
  await flushed;
  t.equal(tracker.pending, 0);
  t.equal(clock.holds, 0);
  await tracker.flush(); // nothing pending: resolves at once
});

t.test('the write key travels in x-write-key; an endpoint path prefix is kept', async (t) => {
  const { tracker, fake } = setup(t, { writeKey: 'wk_live_123', endpoint: 'https://shop.test/rec/' });
  tracker.track(view(1));
  await tracker.flush();
  t.equal(fake.requests[0]?.url, 'https://shop.test/rec/v1/events');
  t.equal(fake.requests[0]?.headers['x-write-key'], 'wk_live_123');
});

t.test('one request at a time: events queued meanwhile follow in order', async (t) => {
  const { tracker, fake } = setup(t, { batchSize: 2 });
  const gate = fake.hold();
  for (let i = 1; i <= 5; i += 1) tracker.track(view(i));
  await settle();
  t.equal(fake.requests.length, 1, 'the second full batch waits for the first answer');
  gate.release();
  await tracker.flush();
  t.same(fake.requests.map(idsOf), [['evt-1', 'evt-2'], ['evt-3', 'evt-4'], ['evt-5']]);
});

t.test(
  'network errors are retried with exponential backoff and full jitter, reusing event ids',
  async (t) => {
    const { tracker, fake, clock } = setup(t, { backoff: { baseMs: 500, maxMs: 1500 } });
    fake.respond((request, index) => (index < 4 ? new Error('ECONNRESET') : accepted(request)));
    tracker.track(view(1));
    tracker.track(view(2));
    const flushed = tracker.flush();
    // random() = 0.5: half of min(maxMs, base·2^(failures-1)) = 250, 500, 750 (capped at 1500), 750.
    for (const [failures, delay] of [
      [1, 250],
      [2, 500],
      [3, 750],
      [4, 750],
    ] as const) {
      await settle();
      t.equal(fake.requests.length, failures);
      t.same(clock.pendingDelays(), [delay], `after ${failures} failure(s) the retry waits ${delay} ms`);
      await clock.advance(delay - 1);
      t.equal(fake.requests.length, failures, 'not a millisecond early');
      await clock.advance(1);
    }
    await flushed;
    t.equal(fake.requests.length, 5);
    for (const request of fake.requests) t.same(idsOf(request), ['evt-1', 'evt-2'], 'same ids every time');
  },
);

t.test('the jitter is drawn from random(): a different draw, a different delay', async (t) => {
  const { tracker, fake, clock } = setup(t, { random: () => 0.1 });
  fake.respond(() => new Error('offline'));
  tracker.track(view(1));
  void tracker.flush();
  await settle();
  t.same(clock.pendingDelays(), [50], '0.1 × 500');
  const closed = tracker.close({ timeoutMs: 0 });
  await clock.advance(0);
  await closed;
});

t.test('503 and 429 are retried no sooner than Retry-After', async (t) => {
  const { tracker, fake, clock, failures } = setup(t);
  fake.respond((request, index) => {
    if (index === 0)
      return json(
        503,
        { error: { code: 'REC_ERR_DEPENDENCY_UNAVAILABLE', message: 'x' } },
        { 'retry-after': '3' },
      );
    if (index === 1)
      return json(
        429,
        { error: { code: 'REC_ERR_OVERLOADED', message: 'slow down' } },
        { 'retry-after': '1' },
      );
    return accepted(request);
  });
  tracker.track(view(1));
  const flushed = tracker.flush();
  await settle();
  t.same(clock.pendingDelays(), [3000], 'the server asked for 3 s, more than the jittered 250 ms');
  await clock.advance(2999);
  t.equal(fake.requests.length, 1);
  await clock.advance(1);
  t.equal(fake.requests.length, 2);
  t.same(clock.pendingDelays(), [1000]);
  await clock.advance(1000);
  await flushed;
  t.equal(fake.requests.length, 3);
  t.same(failures, []);
  t.same(fake.requests.map(idsOf), [['evt-1'], ['evt-1'], ['evt-1']]);
});

t.test('per-event refusals are reported, not retried; the rest of the batch is delivered', async (t) => {
  const { tracker, fake, clock, refused, failures } = setup(t);
  fake.respond(() =>
    json(202, {
      accepted: 2,
      rejected: [{ index: 1, problems: [{ field: '/item_id', reason: 'must match pattern' }] }],
    }),
  );
  tracker.track(view(1));
  tracker.track({ type: 'view', user_id: 'u1', item_id: 'bad id!' });
  tracker.track(view(3));
  await tracker.flush();
  t.equal(refused.length, 1);
  t.equal(refused[0]?.event.event_id, 'evt-2');
  t.same(refused[0]?.problems, [{ field: '/item_id', reason: 'must match pattern' }]);
  await clock.advance(60_000);
  t.equal(fake.requests.length, 1, 'nothing is retried');
  t.equal(tracker.pending, 0);
  t.same(failures, []);
});

t.test('a 400 refusing every record reports each of them', async (t) => {
  const { tracker, fake, refused } = setup(t);
  fake.respond(() =>
    json(400, {
      error: {
        code: 'REC_ERR_INVALID_INPUT',
        message: 'no valid event in the request',
        rejected: [
          { index: 0, problems: [{ field: '/user_id', reason: 'user_id or anonymous_id is required' }] },
          { index: 1, problems: [{ field: '/item_id', reason: 'is required' }] },
        ],
      },
    }),
  );
  tracker.track(view(1));
  tracker.track(view(2));
  await tracker.flush();
  t.same(
    refused.map((r) => [r.event.event_id, r.problems[0]?.field]),
    [
      ['evt-1', '/user_id'],
      ['evt-2', '/item_id'],
    ],
  );
  t.equal(fake.requests.length, 1);
});

t.test('other 4xx refuse the whole request: reported through onError, not retried', async (t) => {
  const { tracker, fake, clock, failures } = setup(t, { writeKey: 'wrong' });
  fake.respond(() => json(401, { error: { code: 'REC_ERR_UNAUTHORIZED', message: 'unknown write key' } }));
  tracker.track(view(1));
  await tracker.flush();
  await clock.advance(60_000);
  t.equal(fake.requests.length, 1);
  t.equal(failures.length, 1);
  t.equal(failures[0]?.kind, 'request_refused');
  t.equal(failures[0]?.status, 401);
  t.match(failures[0]?.message, /unknown write key/);
  t.same(
    failures[0]?.events.map((e) => e.event_id),
    ['evt-1'],
  );
});

t.test('413: the batch is split and resent; a single event too large is reported', async (t) => {
  const { tracker, fake, failures } = setup(t);
  fake.respond((request) =>
    request.events.length > 2 || request.events.some((e) => e['item_id'] === 'huge')
      ? json(413, { error: { code: 'REC_ERR_PAYLOAD_TOO_LARGE', message: 'too large' } })
      : accepted(request),
  );
  for (let i = 1; i <= 4; i += 1) tracker.track(view(i));
  await tracker.flush();
  t.same(fake.requests.map(idsOf), [
    ['evt-1', 'evt-2', 'evt-3', 'evt-4'],
    ['evt-1', 'evt-2'],
    ['evt-3', 'evt-4'],
  ]);
  tracker.track({ type: 'view', user_id: 'u1', item_id: 'huge' });
  await tracker.flush();
  t.equal(failures.length, 1);
  t.equal(failures[0]?.kind, 'request_refused');
  t.equal(failures[0]?.status, 413);
  t.equal(tracker.pending, 0);
});

t.test('after maxAttempts failures the events are reported, never silently dropped', async (t) => {
  const { tracker, fake, clock, failures } = setup(t, { maxAttempts: 3 });
  fake.respond(() => json(500, { error: { code: 'REC_ERR_INTERNAL', message: 'internal error' } }));
  tracker.track(view(1));
  const flushed = tracker.flush();
  await clock.advance(10_000);
  await flushed;
  t.equal(fake.requests.length, 3);
  t.equal(failures.length, 1);
  t.equal(failures[0]?.kind, 'retries_exhausted');
  t.equal(failures[0]?.status, 500);
  t.same(
    failures[0]?.events.map((e) => e.event_id),
    ['evt-1'],
  );
  t.equal(tracker.pending, 0);
  await clock.advance(60_000);
  t.equal(fake.requests.length, 3, 'no more attempts');
});

t.test('an event id already pending is not queued twice', async (t) => {
  const { tracker, fake } = setup(t);
  const gate = fake.hold();
  t.same(tracker.track({ ...view(1), event_id: 'order-42-view' }), {
    queued: true,
    eventId: 'order-42-view',
  });
  t.same(tracker.track({ ...view(1), event_id: 'order-42-view' }), {
    queued: false,
    eventId: 'order-42-view',
    reason: 'duplicate',
  });
  void tracker.flush();
  await settle();
  t.same(
    tracker.track({ ...view(1), event_id: 'order-42-view' }).queued,
    false,
    'in flight counts as pending',
  );
  gate.release();
  await tracker.flush();
  t.same(idsOf(fake.requests[0]), ['order-42-view']);
  t.equal(fake.requests.length, 1);
  t.equal(
    tracker.track({ ...view(1), event_id: 'order-42-view' }).queued,
    true,
    'settled ids may be sent again',
  );
  await tracker.flush();
});

t.test('a full queue refuses new events with a callback and keeps the old ones', async (t) => {
  const { tracker, fake, failures } = setup(t, { batchSize: 2, maxQueueSize: 3 });
  const gate = fake.hold();
  for (let i = 1; i <= 3; i += 1) t.equal(tracker.track(view(i)).queued, true);
  await settle();
  const refusedResult = tracker.track(view(4));
  t.same(refusedResult, { queued: false, eventId: 'evt-4', reason: 'queue_full' });
  t.equal(failures[0]?.kind, 'queue_full');
  t.same(
    failures[0]?.events.map((e) => e.event_id),
    ['evt-4'],
  );
  t.equal(tracker.pending, 3, 'in-flight events count against the bound');
  gate.release();
  await tracker.flush();
  t.same(fake.requests.flatMap(idsOf), ['evt-1', 'evt-2', 'evt-3'], 'nothing old was dropped');
  t.equal(tracker.track(view(5)).queued, true, 'room again once delivered');
  await tracker.flush();
});

t.test('the event is snapshotted when tracked', async (t) => {
  const { tracker, fake } = setup(t);
  const event = { ...view(1), properties: { color: 'red' } };
  tracker.track(event);
  event.properties.color = 'blue';
  await tracker.flush();
  t.same(fake.requests[0]?.events[0]?.['properties'], { color: 'red' });
});

t.test('helpers set the type; identity fills what an event lacks', async (t) => {
  const { tracker, fake } = setup(t);
  tracker.identify({ anonymous_id: 'anon-1', session_id: 's-1' });
  tracker.view({ item_id: 'sku-1' });
  tracker.click({ item_id: 'sku-2', position: 3, user_id: 'u9' });
  tracker.addToCart({ item_id: 'sku-3', quantity: 1, price: 9.5, currency: 'EUR' });
  tracker.removeFromCart({ item_id: 'sku-3', quantity: 1 });
  tracker.purchase({
    order_id: 'o-1',
    items: [{ item_id: 'sku-3', price: 9.5, quantity: 1 }],
    currency: 'EUR',
  });
  tracker.search({ query: 'lipstick', results_count: 12 });
  tracker.impression({ item_ids: ['sku-1', 'sku-2'], list: 'home-top' });
  await tracker.flush();
  const events = fake.requests[0]?.events ?? [];
  t.same(
    events.map((e) => e['type']),
    ['view', 'click', 'add_to_cart', 'remove_from_cart', 'purchase', 'search', 'impression'],
  );
  t.equal(events[0]?.['anonymous_id'], 'anon-1');
  t.equal(events[0]?.['session_id'], 's-1');
  t.equal(events[1]?.['user_id'], 'u9', "the event's own fields win");
  t.throws(() => tracker.track(null as never), TypeError);
  // Checked by the compiler (pnpm typecheck): the contract's required fields stay required.
  const typeErrors = [
    // @ts-expect-error a view needs its item_id
    () => tracker.track({ type: 'view', user_id: 'u1' }),
    // @ts-expect-error add_to_cart needs quantity, price and currency
    () => tracker.addToCart({ item_id: 'sku-1' }),
    // @ts-expect-error there is no such event type
    () => tracker.track({ type: 'teleport', user_id: 'u1' }),
    // @ts-expect-error a closed object: unknown fields are refused at compile time too
    () => tracker.view({ item_id: 'sku-1', colour: 'red' }),
  ];
  t.equal(typeErrors.length, 4);
});

t.test('close() flushes, waits, and refuses later events', async (t) => {
  const { tracker, fake, failures } = setup(t);
  tracker.track(view(1));
  await tracker.close();
  t.same(idsOf(fake.requests[0]), ['evt-1']);
  t.same(tracker.track(view(2)), { queued: false, eventId: 'evt-2', reason: 'closed' });
  t.equal(failures[0]?.kind, 'closed');
  await tracker.close(); // idempotent
});

t.test('close() with a deadline reports what it could not deliver', async (t) => {
  const { tracker, fake, clock, failures } = setup(t);
  fake.respond(() =>
    json(503, { error: { code: 'REC_ERR_DEPENDENCY_UNAVAILABLE', message: 'x' } }, { 'retry-after': '30' }),
  );
  tracker.track(view(1));
  tracker.track(view(2));
  const closed = tracker.close({ timeoutMs: 5000 });
  await clock.advance(5000);
  await closed;
  t.equal(fake.requests.length, 1, 'Retry-After 30 s: no second attempt within the deadline');
  t.equal(failures.length, 1);
  t.equal(failures[0]?.kind, 'undelivered');
  t.same(
    failures[0]?.events.map((e) => e.event_id),
    ['evt-1', 'evt-2'],
  );
  t.equal(tracker.pending, 0);
  t.same(clock.pendingDelays(), [], 'no timer left behind');
  t.equal(clock.holds, 0, 'the process is free to exit');
});

/** A browser page made of EventTargets, with a recording sendBeacon. */
function fakePage(beaconAnswer: () => boolean = () => true) {
  const document = Object.assign(new EventTarget(), { visibilityState: 'visible' });
  const window = new EventTarget();
  const beacons: { url: string; events: Record<string, unknown>[]; bytes: number }[] = [];
  const page: PageEnvironment = {
    document,
    window,
    sendBeacon: (url, body) => {
      const ok = beaconAnswer();
      if (ok)
        beacons.push({
          url,
          events: JSON.parse(body) as Record<string, unknown>[],
          bytes: Buffer.byteLength(body),
        });
      return ok;
    },
  };
  const hide = () => {
    document.visibilityState = 'hidden';
    document.dispatchEvent(new Event('visibilitychange'));
  };
  return { page, document, window, beacons, hide };
}

t.test('page hidden: queued events go out by beacon at once', async (t) => {
  const browser = fakePage();
  const { tracker, fake } = setup(t, { page: browser.page });
  tracker.track(view(1));
  tracker.track(view(2));
  browser.document.visibilityState = 'visible';
  browser.document.dispatchEvent(new Event('visibilitychange'));
  t.equal(browser.beacons.length, 0, 'becoming visible sends nothing');
  browser.hide();
  t.equal(browser.beacons.length, 1, 'synchronously, while the page still exists');
  t.equal(browser.beacons[0]?.url, 'https://collect.shop.test/v1/events');
  t.same(
    browser.beacons[0]?.events.map((e) => e['event_id']),
    ['evt-1', 'evt-2'],
  );
  t.equal(tracker.pending, 0);
  tracker.track(view(3));
  browser.window.dispatchEvent(new Event('pagehide'));
  t.same(
    browser.beacons[1]?.events.map((e) => e['event_id']),
    ['evt-3'],
    'pagehide too',
  );
  await settle();
  t.equal(fake.requests.length, 0);
  await tracker.close();
  tracker.track(view(4)); // refused: closed
  browser.window.dispatchEvent(new Event('pagehide'));
  t.equal(browser.beacons.length, 2, 'close() stops listening');
});

t.test('page hidden: beacon bodies stay within 64 KiB', (t) => {
  const browser = fakePage();
  const { tracker } = setup(t, { page: browser.page, batchSize: 100, maxQueueSize: 100 });
  const padding = 'x'.repeat(3000);
  for (let i = 1; i <= 40; i += 1) tracker.track({ ...view(i), properties: { padding } });
  browser.hide();
  t.ok(browser.beacons.length >= 2, `${browser.beacons.length} beacons`);
  for (const beacon of browser.beacons) t.ok(beacon.bytes <= 64 * 1024, `${beacon.bytes} bytes`);
  t.equal(browser.beacons.flatMap((b) => b.events).length, 40, 'every event sent once');
  t.end();
});

t.test('page hidden: keepalive fetch when a beacon is refused or cannot carry the write key', (t) => {
  t.test('beacon refused (quota)', async (t) => {
    const browser = fakePage(() => false);
    const { tracker, fake } = setup(t, { page: browser.page });
    tracker.track(view(1));
    browser.hide();
    await settle();
    t.equal(fake.requests.length, 1);
    t.equal(fake.requests[0]?.keepalive, true);
    t.same(idsOf(fake.requests[0]), ['evt-1']);
    t.equal(tracker.pending, 0, 'answered: the page lived on');
  });
  t.test('write key set', async (t) => {
    const browser = fakePage();
    const { tracker, fake, clock } = setup(t, { page: browser.page, writeKey: 'wk' });
    fake.respond((request, index) => (index === 0 ? new Error('quota exceeded') : accepted(request)));
    tracker.track(view(1));
    browser.hide();
    t.equal(browser.beacons.length, 0, 'a beacon cannot send headers');
    await settle();
    t.equal(fake.requests[0]?.keepalive, true);
    t.equal(fake.requests[0]?.headers['x-write-key'], 'wk');
    t.equal(tracker.pending, 1, 'failed: kept for a retry, as the page lives on');
    await clock.advance(250);
    t.same(fake.requests.map(idsOf), [['evt-1'], ['evt-1']]);
    t.equal(tracker.pending, 0);
  });
  t.end();
});
