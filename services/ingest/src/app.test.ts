import { gzipSync } from 'node:zlib';
import t, { type Test } from 'tap';
import { ERROR_CODES, TransientError } from '@recstream/errors';
import { createLogger } from '@recstream/logger';
import { createMetrics } from '@recstream/metrics';
import { createValidators, type CatalogItem, type EnrichedEvent } from '@recstream/schemas';
import { buildApp, type IngestAppDeps } from './app.js';
import type { Publisher } from './handlers/event-publisher.js';

const validators = createValidators();
const logger = createLogger({ service: 'test', level: 'silent' });
const receivedAt = new Date('2026-05-01T12:00:00.000Z');

/** A Publisher that keeps what it was given, or fails as told. */
function fakePublisher(failure?: Error) {
  const events: EnrichedEvent[] = [];
  const items: CatalogItem[] = [];
  const parked: { raw: string; route: string; reasons: string[] }[] = [];
  const publisher: Publisher = {
    publishEvents(batch) {
      if (failure !== undefined) return Promise.reject(failure);
      events.push(...batch);
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
  return { publisher, events, items, parked };
}

async function setup(t: Test, options: { failure?: Error; overrides?: Partial<IngestAppDeps> } = {}) {
  const published = fakePublisher(options.failure);
  const metrics = createMetrics('ingest', { defaultMetrics: false });
  const app = await buildApp({
    logger,
    metrics,
    validators,
    publisher: published.publisher,
    checks: {},
    maxBodyBytes: 64 * 1024,
    maxBatchEvents: 5,
    maxFutureSkewMs: 5 * 60 * 1000,
    now: () => receivedAt,
    ...options.overrides,
  });
  t.teardown(() => app.close());
  const post = (body: string, contentType = 'application/json') =>
    app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: { 'content-type': contentType },
      payload: body,
    });
  const metricsText = async () => (await app.inject({ method: 'GET', url: '/metrics' })).body;
  return { app, post, metricsText, ...published };
}

const view = (id: string, extra: Record<string, unknown> = {}) => ({
  type: 'view',
  event_id: id,
  user_id: 'u1',
  item_id: 'sku-1',
  ...extra,
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
    source: 'default',
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
    error: { code: ERROR_CODES.payloadTooLarge, message: /batch of 6 events exceeds the maximum of 5/ },
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
  const { app, events } = await setup(t, { overrides: { maxBodyBytes: 4096 } });
  const postGzip = (payload: Buffer, encoding = 'gzip') =>
    app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: { 'content-type': 'application/json', 'content-encoding': encoding },
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
  const { app } = await setup(t, { overrides: { corsOrigins: ['https://shop.example'] } });
  const preflight = (origin: string) =>
    app.inject({
      method: 'OPTIONS',
      url: '/v1/events',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
  const allowed = await preflight('https://shop.example');
  t.equal(allowed.statusCode, 204);
  t.equal(allowed.headers['access-control-allow-origin'], 'https://shop.example');
  t.match(String(allowed.headers['access-control-allow-methods']), /POST/);
  t.equal((await preflight('https://evil.example')).headers['access-control-allow-origin'], undefined);

  const post = await app.inject({
    method: 'POST',
    url: '/v1/events',
    headers: { 'content-type': 'application/json', origin: 'https://shop.example' },
    payload: JSON.stringify(view('c0')),
  });
  t.equal(post.statusCode, 202);
  t.equal(post.headers['access-control-allow-origin'], 'https://shop.example');
});

t.test('without configured origins the collector sends no CORS headers', async (t) => {
  const { app } = await setup(t);
  const response = await app.inject({
    method: 'POST',
    url: '/v1/events',
    headers: { 'content-type': 'application/json', origin: 'https://shop.example' },
    payload: JSON.stringify(view('c1')),
  });
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
