import { gzipSync } from 'node:zlib';
import t, { type Test } from 'tap';
import { ERROR_CODES, TransientError } from '@recstream/errors';
import { createLogger } from '@recstream/logger';
import { createMetrics } from '@recstream/metrics';
import { createValidators, type CatalogItem, type EnrichedEvent } from '@recstream/schemas';
import { buildApp, type IngestAppDeps } from './app.js';
import type { Publisher } from './handlers/event-publisher.js';
import {
  generateWriteKey,
  hashWriteKey,
  type RateLimit,
  type WriteKeyKind,
  type WriteKeyRecord,
  type WriteScope,
} from './auth/index.js';
import type { RateLimiter, RateVerdict } from './auth/index.js';

const validators = createValidators();
const logger = createLogger({ service: 'test', level: 'silent' });
const receivedAt = new Date('2026-05-01T12:00:00.000Z');

/** A Publisher that keeps what it was given, or fails as told. */
function fakePublisher(failure?: Error) {
  const events: EnrichedEvent[] = [];
  const items: CatalogItem[] = [];
  const parked: { raw: string; route: string; reasons: string[] }[] = [];
  const deleted: string[] = [];
  const publisher: Publisher = {
    publishEvents(batch) {
      if (failure !== undefined) return Promise.reject(failure);
      events.push(...batch);
      return Promise.resolve();
    },
    deleteItems(ids) {
      if (failure !== undefined) return Promise.reject(failure);
      deleted.push(...ids);
      return Promise.resolve();
    },
    publishItems(batch) {
      if (failure !== undefined) return Promise.reject(failure);
      items.push(...batch);
      return Promise.resolve();
    },
    parkRefused(records, route) {
      if (failure !== undefined) return Promise.reject(failure);
      parked.push(
        ...records.map((r) => ({
          raw: r.raw,
          route,
          reasons: r.problems.map((p) => `${p.field} ${p.reason}`),
        })),
      );
      return Promise.resolve();
    },
  };
  return { publisher, events, items, parked, deleted };
}

/** Write keys held in memory, and a rate limiter that answers as told and records what it was charged. */
function fakeAuth() {
  const records = new Map<string, WriteKeyRecord>();
  const charged: { hash: string; cost: number }[] = [];
  let verdict: RateVerdict | Error = { allowed: true };
  let lookupFailure: Error | undefined;
  const limiter: RateLimiter = {
    take(hash, _limit, cost) {
      if (verdict instanceof Error) return Promise.reject(verdict);
      charged.push({ hash, cost });
      return Promise.resolve(verdict);
    },
  };
  const issue = (
    source: string,
    options: { revoked?: boolean; limit?: RateLimit; kind?: WriteKeyKind; scopes?: WriteScope[] } = {},
  ) => {
    const key = generateWriteKey();
    const hash = hashWriteKey(key);
    records.set(hash, {
      hash,
      source,
      kind: options.kind ?? 'server',
      scopes: options.scopes ?? ['events', 'catalog'],
      createdAt: new Date('2026-04-01T00:00:00Z'),
      ...(options.revoked === true ? { revokedAt: new Date('2026-04-02T00:00:00Z') } : {}),
      limit: options.limit ?? { ratePerSecond: 1000, burst: 1000 },
    });
    return key;
  };
  return {
    auth: {
      mode: 'required' as const,
      keys: (hash: string) =>
        lookupFailure === undefined ? Promise.resolve(records.get(hash)) : Promise.reject(lookupFailure),
      limiter,
    },
    issue,
    charged,
    limitAnswers(next: RateVerdict | Error) {
      verdict = next;
    },
    lookupFails(error: Error) {
      lookupFailure = error;
    },
  };
}

async function setup(t: Test, options: { failure?: Error; overrides?: Partial<IngestAppDeps> } = {}) {
  const published = fakePublisher(options.failure);
  const keys = fakeAuth();
  const writeKey = keys.issue('shop-web');
  const metrics = createMetrics('ingest', { defaultMetrics: false });
  const app = await buildApp({
    logger,
    metrics,
    validators,
    publisher: published.publisher,
    auth: keys.auth,
    checks: {},
    maxBodyBytes: 64 * 1024,
    maxBatchEvents: 5,
    maxFutureSkewMs: 5 * 60 * 1000,
    now: () => receivedAt,
    ...options.overrides,
  });
  t.teardown(() => app.close());
  /** Sends with the setup's write key, another one, or (null) none. */
  const post = (body: string, contentType = 'application/json', key: string | null = writeKey) =>
    app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: { 'content-type': contentType, ...(key === null ? {} : { 'x-write-key': key }) },
      payload: body,
    });
  const metricsText = async () => (await app.inject({ method: 'GET', url: '/metrics' })).body;
  return { app, post, metricsText, writeKey, keys, ...published };
}

const view = (id: string, extra: Record<string, unknown> = {}) => ({
  type: 'view',
  event_id: id,
  user_id: 'u1',
  item_id: 'sku-1',
  ...extra,
});

/** An event sent from a page of https://shop.example, with `key` when given. */
const postFromShop = (app: Awaited<ReturnType<typeof buildApp>>, event: unknown, key?: string) =>
  app.inject({
    method: 'POST',
    url: '/v1/events',
    headers: {
      'content-type': 'application/json',
      origin: 'https://shop.example',
      ...(key === undefined ? {} : { 'x-write-key': key }),
    },
    payload: JSON.stringify(event),
  });

t.test('a single valid event is accepted with 202 and published enriched', async (t) => {
  const { post, events, metricsText } = await setup(t);
  const response = await post(JSON.stringify(view('e1', { timestamp: '2026-05-01T11:59:00Z' })));
  t.equal(response.statusCode, 202);
  t.same(response.json(), { accepted: 1, rejected: [] });
  t.equal(events.length, 1);
  t.match(events[0], {
    event_id: 'e1',
    schema_version: 1,
    received_at: '2026-05-01T12:00:00.000Z',
    event_time: '2026-05-01T11:59:00.000Z',
    source: 'shop-web',
  });
  t.match(await metricsText(), /^rec_ingest_events_accepted_total 1$/m, 'counted as accepted');
});

t.test(
  'a JSON array with some invalid events: 202, the valid ones published, the others listed by index',
  async (t) => {
    const { post, events } = await setup(t);
    const response = await post(
      JSON.stringify([
        view('e0'),
        { type: 'view', event_id: 'e1', user_id: 'u1' },
        view('e2'),
        view("e3' OR 1=1"),
      ]),
    );
    t.equal(response.statusCode, 202);
    const body = response.json<{
      accepted: number;
      rejected: { index: number; problems: { field: string }[] }[];
    }>();
    t.equal(body.accepted, 2);
    t.same(
      body.rejected.map((r) => r.index),
      [1, 3],
    );
    t.same(body.rejected[0]?.problems, [{ field: '/item_id', reason: 'is required' }]);
    t.equal(body.rejected[1]?.problems[0]?.field, '/event_id');
    t.same(
      events.map((e) => e.event_id),
      ['e0', 'e2'],
      'only the valid events reached Kafka',
    );
  },
);

t.test('when no event is valid: 400 naming the field, nothing published', async (t) => {
  const { post, events, metricsText, parked } = await setup(t);
  const response = await post(
    JSON.stringify([view('e0', { price: 'cheap' }), { type: 'view', event_id: 'e1', item_id: 'sku' }]),
  );
  t.equal(response.statusCode, 400);
  t.match(response.json(), {
    error: {
      code: ERROR_CODES.invalidInput,
      rejected: [
        { index: 0, problems: [{ field: '/price' }] },
        { index: 1, problems: [{ field: '/user_id', reason: 'user_id or anonymous_id is required' }] },
      ],
    },
  });
  t.equal(events.length, 0);
  t.match(await metricsText(), /^rec_ingest_events_rejected_total 2$/m);
  t.equal(parked.length, 2, 'both refused events are parked in the DLQ');
  t.same(parked[1], {
    raw: JSON.stringify({ type: 'view', event_id: 'e1', item_id: 'sku' }),
    route: '/v1/events',
    reasons: ['/user_id user_id or anonymous_id is required'],
  });
});

t.test('NDJSON: a line that is not JSON is rejected at its index, the others accepted', async (t) => {
  const { post, events, parked } = await setup(t);
  const body = [JSON.stringify(view('e0')), '{"type": "view", oops', JSON.stringify(view('e2')), ''].join(
    '\n',
  );
  const response = await post(body, 'application/x-ndjson');
  t.equal(response.statusCode, 202);
  t.match(response.json(), {
    accepted: 2,
    rejected: [{ index: 1, problems: [{ field: '/', reason: /not valid JSON/ }] }],
  });
  t.same(
    events.map((e) => e.event_id),
    ['e0', 'e2'],
  );
  t.same(
    parked.map((p) => p.raw),
    ['{"type": "view", oops'],
    'the unparseable line is parked byte for byte',
  );
});

t.test('malformed JSON is a 400 with REC_ERR_INVALID_INPUT', async (t) => {
  const { post, events } = await setup(t);
  const response = await post('{"type": "view", ');
  t.equal(response.statusCode, 400);
  t.equal(response.json<{ error: { code: string } }>().error.code, ERROR_CODES.invalidInput);
  t.equal(events.length, 0);
});

t.test('a batch over the maximum is refused with 413, nothing published', async (t) => {
  const { post, events } = await setup(t);
  const response = await post(JSON.stringify(Array.from({ length: 6 }, (_, i) => view(`e${i}`))));
  t.equal(response.statusCode, 413);
  t.match(response.json(), {
    error: { code: ERROR_CODES.payloadTooLarge, message: /batch of 6 records exceeds the maximum of 5/ },
  });
  t.equal(events.length, 0);
  const atLimit = await post(JSON.stringify(Array.from({ length: 5 }, (_, i) => view(`e${i}`))));
  t.equal(atLimit.statusCode, 202, 'exactly the maximum is fine');
});

t.test('a body over the size limit is refused with 413', async (t) => {
  const { post, events } = await setup(t, { overrides: { maxBodyBytes: 2048 } });
  const response = await post(JSON.stringify(view('e1', { properties: { note: 'x'.repeat(3000) } })));
  t.equal(response.statusCode, 413);
  t.equal(response.json<{ error: { code: string } }>().error.code, ERROR_CODES.payloadTooLarge);
  t.equal(events.length, 0);
});

t.test('gzip bodies: decompressed, limited on their decompressed size, corrupt ones refused', async (t) => {
  const { app, events, writeKey } = await setup(t, { overrides: { maxBodyBytes: 4096 } });
  const postGzip = (payload: Buffer, encoding = 'gzip') =>
    app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: {
        'content-type': 'application/json',
        'content-encoding': encoding,
        'x-write-key': writeKey,
      },
      payload,
    });

  const ok = await postGzip(gzipSync(JSON.stringify([view('g0'), view('g1')])));
  t.equal(ok.statusCode, 202);
  t.same(
    events.map((e) => e.event_id),
    ['g0', 'g1'],
  );

  // 100 KiB of spaces compresses to a few hundred bytes: the limit is on what it inflates to.
  const bomb = gzipSync(`[${' '.repeat(100 * 1024)}]`);
  t.ok(bomb.length < 4096, 'the compressed bomb itself is under the limit');
  t.equal((await postGzip(bomb)).statusCode, 413);

  const corrupt = await postGzip(Buffer.from('definitely not gzip'));
  t.equal(corrupt.statusCode, 400);
  t.equal(corrupt.json<{ error: { code: string } }>().error.code, ERROR_CODES.invalidInput);

  const unsupported = await postGzip(Buffer.from('[]'), 'br');
  t.equal(unsupported.statusCode, 415);
  t.equal(events.length, 2, 'nothing else was published');
});

t.test('CORS: configured browser origins may send events, others get no CORS headers', async (t) => {
  const { app, writeKey } = await setup(t, { overrides: { corsOrigins: ['https://shop.example'] } });
  const preflight = (origin: string) =>
    app.inject({
      method: 'OPTIONS',
      url: '/v1/events',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-write-key',
      },
    });
  const allowed = await preflight('https://shop.example');
  t.equal(allowed.statusCode, 204);
  t.equal(allowed.headers['access-control-allow-origin'], 'https://shop.example');
  t.match(String(allowed.headers['access-control-allow-methods']), /POST/);
  t.match(
    String(allowed.headers['access-control-allow-headers']),
    /x-write-key/,
    'the key header may be sent',
  );
  t.equal((await preflight('https://evil.example')).headers['access-control-allow-origin'], undefined);

  const post = await postFromShop(app, view('c0'), writeKey);
  t.equal(post.statusCode, 202);
  t.equal(post.headers['access-control-allow-origin'], 'https://shop.example');

  const unauthenticated = await postFromShop(app, view('c1'));
  t.equal(unauthenticated.statusCode, 401);
  t.equal(
    unauthenticated.headers['access-control-allow-origin'],
    'https://shop.example',
    'a browser can read why it was refused',
  );
});

t.test('without configured origins the collector sends no CORS headers', async (t) => {
  const { app, writeKey } = await setup(t);
  const response = await postFromShop(app, view('c1'), writeKey);
  t.equal(response.statusCode, 202);
  t.equal(response.headers['access-control-allow-origin'], undefined);
});

t.test('Kafka unavailable: 503 with retry-after, and nothing reported accepted', async (t) => {
  const failure = new TransientError(
    ERROR_CODES.unavailable,
    'kafka produce to rec.events.v1 failed: timeout',
  );
  const { post, metricsText } = await setup(t, { failure });
  const response = await post(JSON.stringify([view('e1'), view('e2')]));
  t.equal(response.statusCode, 503);
  t.ok(response.headers['retry-after'] !== undefined, 'tells the client when to retry');
  const body = response.json<Record<string, unknown>>();
  t.notOk('accepted' in body, 'no accepted count in the answer');
  t.equal((body['error'] as { code: string }).code, ERROR_CODES.unavailable);
  t.match(await metricsText(), /^rec_ingest_events_accepted_total 0$/m, 'not counted as accepted');
});

t.test(
  'a DLQ that cannot park refused records: counted, and the request still gets its verdicts',
  async (t) => {
    const published = fakePublisher();
    const publisher: Publisher = {
      ...published.publisher,
      parkRefused: () => Promise.reject(new TransientError(ERROR_CODES.unavailable, 'dlq produce failed')),
    };
    const { app, post, metricsText, writeKey } = await setup(t, { overrides: { publisher } });
    const events = await post(JSON.stringify([view('e1'), { type: 'view' }]));
    t.equal(events.statusCode, 202);
    t.match(events.json(), { accepted: 1, rejected: [{ index: 1 }] });
    t.equal(published.events.length, 1, 'the valid event is published');
    const items = await app.inject({
      method: 'POST',
      url: '/v1/items',
      headers: { 'x-write-key': writeKey, 'content-type': 'application/json' },
      payload: JSON.stringify([{ item_id: 'sku-1' }, { item_id: 'sku-2' }]),
    });
    t.equal(items.statusCode, 400);
    t.match(items.json(), {
      error: { message: 'no valid item in the request', rejected: [{ index: 0 }, { index: 1 }] },
    });
    const text = await metricsText();
    t.match(text, /^rec_ingest_dlq_park_failures_total 3$/m, 'one a record that could not be parked');
    t.match(text, /^rec_ingest_events_rejected_total 1$/m);
    t.match(text, /^rec_ingest_items_rejected_total 2$/m);
    t.match(text, /^rec_ingest_events_accepted_total 1$/m);
  },
);

t.test('operational routes', async (t) => {
  const { app } = await setup(t);
  const openapi = await app.inject({ method: 'GET', url: '/openapi.json' });
  t.equal(openapi.statusCode, 200);
  const paths = openapi.json<{ paths: Record<string, Record<string, unknown>> }>().paths;
  t.ok(paths['/v1/events']?.['post'], 'documents POST /v1/events');
  t.ok(paths['/v1/items']?.['post'], 'documents POST /v1/items');
  t.equal((await app.inject({ method: 'GET', url: '/livez' })).statusCode, 200);
  t.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
  const metrics = await app.inject({ method: 'GET', url: '/metrics' });
  t.equal(metrics.statusCode, 200);
  t.match(metrics.body, /rec_ingest_events_accepted_total/);
});

t.test('a sink-only process serves the operational routes but no intake', async (t) => {
  const metrics = createMetrics('ingest', { defaultMetrics: false });
  const app = await buildApp({
    logger,
    metrics,
    validators,
    checks: {},
    maxBodyBytes: 1024 * 1024,
    maxBatchEvents: 10,
    maxFutureSkewMs: 0,
  });
  t.teardown(() => app.close());
  const response = await app.inject({ method: 'POST', url: '/v1/events', payload: view('e1') });
  t.equal(response.statusCode, 404);
  t.equal((await app.inject({ method: 'GET', url: '/livez' })).statusCode, 200);
});

t.test('write keys: missing, malformed, unknown and revoked keys are refused with 401', async (t) => {
  const { post, events, keys, metricsText } = await setup(t);
  const revoked = keys.issue('shop-ios', { revoked: true });
  const body = JSON.stringify(view('k1'));
  const refusal = async (key: string | null) => {
    const response = await post(body, 'application/json', key);
    t.equal(response.statusCode, 401, `${String(key)} is refused`);
    return response.json<{ error: { code: string; message: string } }>().error;
  };

  t.match(await refusal(null), {
    code: ERROR_CODES.writeKeyMissing,
    message: /missing x-write-key header.*write-keys create/,
  });
  t.match(await refusal('not-a-key'), { code: ERROR_CODES.writeKeyUnknown, message: /not a write key/ });
  t.match(await refusal(generateWriteKey()), {
    code: ERROR_CODES.writeKeyUnknown,
    message: /^write key [0-9a-f]{8} is not known$/,
  });
  t.match(await refusal(revoked), {
    code: ERROR_CODES.writeKeyRevoked,
    message: /^write key [0-9a-f]{8} was revoked at 2026-04-02T00:00:00.000Z$/,
  });
  t.equal(events.length, 0, 'nothing published');
  t.equal(keys.charged.length, 0, 'refused requests are not charged');
  const text = await metricsText();
  t.match(text, /^rec_ingest_requests_refused_total\{reason="missing_key"\} 1$/m);
  t.match(text, /^rec_ingest_requests_refused_total\{reason="unknown_key"\} 2$/m);
  t.match(text, /^rec_ingest_requests_refused_total\{reason="revoked_key"\} 1$/m);
});

t.test('write keys: the key is checked before the body is read', async (t) => {
  const { app, events } = await setup(t);
  const response = await app.inject({
    method: 'POST',
    url: '/v1/items',
    headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
    payload: Buffer.from('not gzip at all'),
  });
  t.equal(response.statusCode, 401, 'not 400: the corrupt body was never inflated');
  t.equal(response.json<{ error: { code: string } }>().error.code, ERROR_CODES.writeKeyMissing);
  t.equal(events.length, 0);
});

t.test("write keys: each event gets the key's source", async (t) => {
  const { post, events, keys } = await setup(t);
  const ios = keys.issue('shop-ios');
  t.equal((await post(JSON.stringify([view('s1'), view('s2')]), 'application/json', ios)).statusCode, 202);
  t.equal((await post(JSON.stringify(view('s3', { source: 'forged' })))).statusCode, 400, 'source is ours');
  t.same(
    events.map((e) => [e.event_id, e.source]),
    [
      ['s1', 'shop-ios'],
      ['s2', 'shop-ios'],
    ],
  );
});

t.test('rate limit: a request is charged one token per record, valid or not', async (t) => {
  const { post, keys, writeKey } = await setup(t);
  const hash = hashWriteKey(writeKey);
  t.equal((await post(JSON.stringify([view('r0'), { type: 'view' }, view('r2')]))).statusCode, 202);
  const ndjson = [view('r3'), view('r4')].map((e) => JSON.stringify(e)).join('\n');
  t.equal((await post(ndjson, 'application/x-ndjson')).statusCode, 202);
  t.same(
    keys.charged,
    [
      { hash, cost: 1 },
      { hash, cost: 2 },
      { hash, cost: 1 },
      { hash, cost: 1 },
    ],
    'a token before the body is read, then the other records',
  );
  t.equal(
    (await post(JSON.stringify(Array.from({ length: 6 }, (_, i) => view(`big${i}`))))).statusCode,
    413,
    'a batch over the maximum is refused',
  );
  t.same(
    keys.charged.slice(4),
    [
      { hash, cost: 1 },
      { hash, cost: 4 },
    ],
    '...and charged as the largest admissible batch (5)',
  );
});

t.test('rate limit: over the limit is 429 with Retry-After, nothing published', async (t) => {
  const { post, events, keys, metricsText } = await setup(t);
  keys.limitAnswers({ allowed: false, retryAfterMs: 2300 });
  const response = await post(JSON.stringify([view('l0'), view('l1')]));
  t.equal(response.statusCode, 429);
  t.equal(response.headers['retry-after'], '3', 'whole seconds, rounded up');
  t.match(response.json(), {
    error: {
      code: ERROR_CODES.rateLimited,
      message: /^write key [0-9a-f]{8} is over its limit of 1000 events\/s \(burst 1000\): retry after 3 s$/,
    },
  });
  t.equal(events.length, 0);
  t.match(await metricsText(), /^rec_ingest_requests_refused_total\{reason="rate_limited"\} 1$/m);
  keys.limitAnswers({ allowed: false, retryAfterMs: 5 });
  t.equal((await post(JSON.stringify(view('l2')))).headers['retry-after'], '1', 'never less than 1 s');
});

t.test('rate limit: a batch larger than the burst is refused with 413 (no wait would help)', async (t) => {
  const { post, keys, events } = await setup(t);
  const small = keys.issue('tiny', { limit: { ratePerSecond: 1, burst: 2 } });
  const response = await post(
    JSON.stringify([view('b0'), view('b1'), view('b2')]),
    'application/json',
    small,
  );
  t.equal(response.statusCode, 413);
  t.match(response.json(), {
    error: { code: ERROR_CODES.payloadTooLarge, message: /batch of 3 records exceeds the burst of 2/ },
  });
  t.same(
    keys.charged.map((c) => c.cost),
    [1, 1],
    'charged as the largest admissible batch: the burst',
  );
  t.equal((await post(JSON.stringify([view('b0'), view('b1')]), 'application/json', small)).statusCode, 202);
  t.equal(events.length, 2);
});

t.test('Redis unavailable: 503 with Retry-After, whether looking up the key or charging it', async (t) => {
  const unavailable = new TransientError(
    ERROR_CODES.unavailable,
    'rate limiter unavailable: connection closed',
  );
  const { post, keys, events, metricsText } = await setup(t);
  keys.limitAnswers(unavailable);
  const limited = await post(JSON.stringify(view('u0')));
  t.equal(limited.statusCode, 503);
  t.ok(limited.headers['retry-after']);
  t.equal(limited.json<{ error: { code: string } }>().error.code, ERROR_CODES.unavailable);

  keys.lookupFails(new Error('connect ECONNREFUSED'));
  const lookup = await post(JSON.stringify(view('u1')));
  t.equal(lookup.statusCode, 503, 'a key that cannot be verified is not accepted');
  t.ok(lookup.headers['retry-after']);
  t.equal(events.length, 0);
  t.match(await metricsText(), /^rec_ingest_requests_refused_total\{reason="unavailable"\} 2$/m);
});

t.test('catalog items need a key too, and count against its limit', async (t) => {
  const { app, keys, items, writeKey } = await setup(t);
  const item = {
    item_id: 'sku-1',
    title: 'Lipstick',
    category_path: ['Beauty', 'Lips'],
    price: 10,
    currency: 'EUR',
    availability: 'in_stock',
    updated_at: '2026-05-01T00:00:00Z',
  };
  const postItems = (key?: string) =>
    app.inject({
      method: 'POST',
      url: '/v1/items',
      headers: { 'content-type': 'application/json', ...(key === undefined ? {} : { 'x-write-key': key }) },
      payload: JSON.stringify([item, { ...item, item_id: 'sku-2' }]),
    });
  t.equal((await postItems()).statusCode, 401);
  t.equal((await postItems(writeKey)).statusCode, 202);
  t.equal(items.length, 2);
  t.same(keys.charged, [
    { hash: hashWriteKey(writeKey), cost: 1 },
    { hash: hashWriteKey(writeKey), cost: 1 },
  ]);
});

t.test('auth disabled (local development): no key needed, events get the default source', async (t) => {
  const { post, events } = await setup(t, { overrides: { auth: { mode: 'disabled' } } });
  t.equal((await post(JSON.stringify(view('d0')), 'application/json', null)).statusCode, 202);
  t.equal(events[0]?.source, 'default');
});

t.test('an intake app cannot be built without deciding on authentication', async (t) => {
  await t.rejects(
    buildApp({
      logger,
      metrics: createMetrics('ingest', { defaultMetrics: false }),
      validators,
      publisher: fakePublisher().publisher,
      checks: {},
      maxBodyBytes: 1024,
      maxBatchEvents: 1,
      maxFutureSkewMs: 0,
    }),
    /intake needs `auth`/,
  );
});

t.test('OpenAPI: the intake routes require the x-write-key header; operational routes do not', async (t) => {
  const { app } = await setup(t);
  const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json<{
    components: { securitySchemes?: Record<string, unknown> };
    paths: Record<string, Record<string, { security?: unknown; responses: Record<string, unknown> }>>;
  }>();
  t.match(doc.components.securitySchemes, {
    writeKey: { type: 'apiKey', in: 'header', name: 'x-write-key' },
  });
  for (const path of ['/v1/events', '/v1/items']) {
    const post = doc.paths[path]?.['post'];
    t.same(post?.security, [{ writeKey: [] }], `${path} requires a write key`);
    t.ok(post?.responses['401'] && post.responses['429'], `${path} documents 401 and 429`);
  }
  t.equal(doc.paths['/livez']?.['get']?.security, undefined);
  t.equal((await app.inject({ method: 'GET', url: '/livez' })).statusCode, 200, 'no key for health');
});

t.test(
  'bad input: each bad record is refused with its field and reason, the good ones accepted',
  async (t) => {
    const { post, events, parked } = await setup(t, { overrides: { maxBatchEvents: 20 } });
    const manyKeys = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i]));
    const batch = [
      view('ok-1'),
      view('e-wrong-type', { item_id: 42 }),
      { type: 'teleport', event_id: 'e-unknown-type', user_id: 'u1' },
      { type: 'view', user_id: 'u1', item_id: 'sku-1' },
      view("1'; DROP TABLE events; --"),
      view('e-sql-item', { item_id: "sku' OR '1'='1" }),
      view('e-many-keys', { properties: manyKeys }),
      view('e-big-bag', { properties: { note: 'x'.repeat(5000) } }),
      view('e-no-shopper', { user_id: undefined }),
      'not an object',
      view('ok-2'),
    ];
    const response = await post(JSON.stringify(batch));
    t.equal(response.statusCode, 202, 'the valid events are accepted');
    const body = response.json<{
      accepted: number;
      rejected: { index: number; problems: { field: string }[] }[];
    }>();
    t.equal(body.accepted, 2);
    const fieldsByIndex = Object.fromEntries(
      body.rejected.map((r) => [r.index, r.problems.map((p) => p.field)]),
    );
    t.match(fieldsByIndex, {
      1: ['/item_id'],
      2: ['/type'],
      3: ['/event_id'],
      4: ['/event_id'],
      5: ['/item_id'],
      6: ['/properties'],
      7: ['/properties'],
      8: ['/user_id'],
      9: ['/'],
    });
    t.same(
      events.map((e) => e.event_id),
      ['ok-1', 'ok-2'],
    );
    t.equal(parked.length, 9, 'every refused record is parked with its reasons');
  },
);

t.test('bad input: far-future and ancient client times are kept at the receive time, flagged', async (t) => {
  const { post, events } = await setup(t, { overrides: { maxPastAgeMs: 7 * 86_400_000 } });
  const response = await post(
    JSON.stringify([
      view('future', { timestamp: '2999-01-01T00:00:00Z' }),
      view('ancient', { timestamp: '1970-01-01T00:00:00Z' }),
      view('recent', { timestamp: '2026-05-01T11:00:00Z' }),
    ]),
  );
  t.equal(response.statusCode, 202, 'never refused: losing the event would be worse');
  t.match(events, [
    { event_id: 'future', event_time: receivedAt.toISOString(), time_correction: 'future_skew' },
    { event_id: 'ancient', event_time: receivedAt.toISOString(), time_correction: 'too_old' },
    { event_id: 'recent', event_time: '2026-05-01T11:00:00.000Z' },
  ]);
  t.notOk('time_correction' in (events[2] ?? {}), 'a plausible time is not flagged');
});

t.test('bad input: a body that is not UTF-8 is refused whole, nothing published', async (t) => {
  const { app, writeKey, events } = await setup(t);
  const valid = Buffer.from(JSON.stringify(view('e1', { properties: { note: 'caf' } })));
  // 'caf' + 0xE9 (Latin-1 é): the client sent ISO-8859-1, not UTF-8.
  const latin1 = Buffer.concat([
    valid.subarray(0, valid.indexOf('caf') + 3),
    Buffer.from([0xe9]),
    valid.subarray(valid.indexOf('caf') + 3),
  ]);
  for (const contentType of ['application/json', 'application/x-ndjson']) {
    const response = await app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: { 'content-type': contentType, 'x-write-key': writeKey },
      payload: latin1,
    });
    t.equal(response.statusCode, 400, contentType);
    t.match(response.json(), { error: { code: ERROR_CODES.invalidInput, message: /not valid UTF-8/ } });
  }
  t.equal(events.length, 0);
  const utf8 = await app.inject({
    method: 'POST',
    url: '/v1/events',
    headers: { 'content-type': 'application/json', 'x-write-key': writeKey },
    payload: JSON.stringify(view('e2', { properties: { note: 'café 🛒' } })),
  });
  t.equal(utf8.statusCode, 202, 'real UTF-8, multi-byte characters included, is fine');
  t.same(events[0]?.properties, { note: 'café 🛒' });
});

t.test('catalog: refused items are parked; deletions single and bulk become tombstones', async (t) => {
  const { app, writeKey, keys, items, parked, deleted } = await setup(t);
  const send = (method: 'POST' | 'DELETE', url: string, payload?: unknown) =>
    app.inject({
      method,
      url,
      headers: {
        'x-write-key': writeKey,
        ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
    });
  const item = {
    item_id: 'sku-1',
    title: 'Lipstick',
    category_path: ['Beauty'],
    price: 10,
    currency: 'EUR',
    availability: 'in_stock',
    updated_at: '2026-05-01T00:00:00Z',
  };
  const upsert = await send('POST', '/v1/items', [item, { ...item, item_id: 'sku-2', price: -1 }]);
  t.equal(upsert.statusCode, 202);
  t.match(upsert.json(), { accepted: 1, rejected: [{ index: 1, problems: [{ field: '/price' }] }] });
  t.equal(items.length, 1);
  t.match(
    parked,
    [{ route: '/v1/items', reasons: [/^\/price/] }],
    'the refused item is parked with its reason',
  );

  t.equal((await send('DELETE', '/v1/items/sku-1')).statusCode, 202, 'single delete');
  const badId = await send('DELETE', `/v1/items/${encodeURIComponent("x'; DROP TABLE items; --")}`);
  t.equal(badId.statusCode, 400, 'an id outside the safe alphabet is refused');
  t.match(badId.json(), { error: { code: ERROR_CODES.invalidInput, message: /item_id must match/ } });

  const bulk = await send('POST', '/v1/items/delete', { item_ids: ['sku-2', '', 'sku-3', 42] });
  t.equal(bulk.statusCode, 202);
  t.match(bulk.json(), {
    accepted: 2,
    rejected: [
      { index: 1, problems: [{ field: '/item_ids/1' }] },
      { index: 3, problems: [{ field: '/item_ids/3', reason: 'must be a string' }] },
    ],
  });
  t.same(deleted, ['sku-1', 'sku-2', 'sku-3']);
  const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
  t.match(metrics, /^rec_ingest_items_accepted_total 1$/m);
  t.match(metrics, /^rec_ingest_items_rejected_total 1$/m);
  t.match(metrics, /^rec_ingest_items_deleted_total 3$/m);
  t.equal((await send('POST', '/v1/items/delete', { item_ids: [''] })).statusCode, 400, 'no valid id: 400');
  t.equal((await send('POST', '/v1/items/delete', { ids: ['sku-1'] })).statusCode, 400, 'wrong shape: 400');
  const tooMany = await send('POST', '/v1/items/delete', {
    item_ids: Array.from({ length: 6 }, (_, i) => `s${i}`),
  });
  t.equal(tooMany.statusCode, 413, 'over the batch maximum');
  t.same(
    keys.charged.map((c) => c.cost),
    // upsert, delete, bad id, bulk, two bad bodies, too many (the largest admissible batch)
    [1, 1, 1, 1, 1, 3, 1, 1, 1, 4],
    'each request pays a token before its body is read, then one per id',
  );
});

t.test('JSON nested thousands of levels deep is refused with 400, not a 500', async (t) => {
  const { app, post, writeKey } = await setup(t);
  const deepArray = '['.repeat(10_000) + ']'.repeat(10_000);
  const deepObject = '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000);
  for (const [label, body] of [
    ['an array of arrays', deepArray],
    ['an object of objects', deepObject],
    ['a batch holding one', `[${JSON.stringify(view('fine'))},${deepArray}]`],
    ['deep properties', JSON.stringify(view('deep')).replace(/}$/, `,"properties":${deepObject}}`)],
  ] as const) {
    const response = await post(body);
    t.not(response.statusCode, 500, `events, ${label}: ${response.statusCode}`);
    t.ok([202, 400].includes(response.statusCode), `answered with a verdict (${response.statusCode})`);
  }
  const items = await app.inject({
    method: 'POST',
    url: '/v1/items',
    headers: { 'content-type': 'application/json', 'x-write-key': writeKey },
    payload: deepArray,
  });
  t.not(items.statusCode, 500, `items: ${items.statusCode}`);
});
