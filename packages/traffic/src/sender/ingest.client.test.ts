import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ClickstreamEvent } from '@recstream/schemas';
import t, { type Test } from 'tap';
import { silentLogger } from '../log.js';
import { IngestClient, IngestUnavailableError, parseRetryAfter } from './ingest.client.js';

interface Received {
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: unknown;
}

type Responder = (request: Received, index: number, res: ServerResponse) => void;

/** A tiny ingest stand-in on 127.0.0.1, port chosen by the OS; answers with the given responders in turn. */
async function fakeIngest(t: Test, responders: Responder[]): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request: Received = {
        url: req.url ?? '',
        headers: req.headers,
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
      };
      received.push(request);
      const respond = responders[Math.min(received.length - 1, responders.length - 1)];
      respond?.(request, received.length - 1, res);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, received };
}

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Responder =>
  (_req, _i, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

const accepted: Responder = (req, _i, res) => {
  const size = Array.isArray(req.body) ? req.body.length : 0;
  json(202, { accepted: size, rejected: [] })(req, _i, res);
};

const events: ClickstreamEvent[] = [
  { event_id: 'e-1', type: 'view', anonymous_id: 'a-1', item_id: 'sku-1' },
  { event_id: 'e-2', type: 'search', anonymous_id: 'a-1', query: 'shoes' },
];

const noWait = { sleep: () => Promise.resolve(), logger: silentLogger };

t.test('a 503 with Retry-After is retried with the same batch, then succeeds', async (t) => {
  const ingest = await fakeIngest(t, [json(503, { error: 'overloaded' }, { 'retry-after': '0' }), accepted]);
  const delays: number[] = [];
  const client = new IngestClient(
    { baseUrl: ingest.url, headers: { 'x-client': 'traffic-test' } },
    { logger: silentLogger, sleep: (ms) => (delays.push(ms), Promise.resolve()) },
  );
  const outcome = await client.sendEvents(events);
  t.equal(ingest.received.length, 2, 'sent twice');
  t.same(ingest.received[0]?.body, ingest.received[1]?.body, 'the retry carries the same events (same ids)');
  t.equal(ingest.received[1]?.url, '/v1/events');
  t.equal(ingest.received[1]?.headers['x-client'], 'traffic-test', 'extra headers are sent');
  t.equal(ingest.received[1]?.headers['content-type'], 'application/json');
  t.same(delays, [0], 'waited as long as Retry-After said');
  t.match(outcome, { kind: 'accepted', status: 202, sent: 2, accepted: 2, retries: 1 });
});

t.test('without Retry-After the client backs off exponentially, bounded', async (t) => {
  const ingest = await fakeIngest(t, [json(503, {}), json(502, {}), json(500, {}), accepted]);
  const delays: number[] = [];
  const client = new IngestClient(
    { baseUrl: ingest.url, baseDelayMs: 100, maxDelayMs: 300 },
    { logger: silentLogger, random: () => 1, sleep: (ms) => (delays.push(ms), Promise.resolve()) },
  );
  const outcome = await client.sendEvents(events);
  t.same(delays, [100, 200, 300]);
  t.equal(outcome.retries, 3);
});

t.test('when ingest stays unavailable the client gives up with a clear error', async (t) => {
  const ingest = await fakeIngest(t, [json(503, {}, { 'retry-after': '0' })]);
  const client = new IngestClient({ baseUrl: ingest.url, maxAttempts: 3 }, noWait);
  await t.rejects(client.sendEvents(events), IngestUnavailableError);
  t.equal(ingest.received.length, 3, 'bounded: three attempts');
});

t.test('a network error is retried', async (t) => {
  const ingest = await fakeIngest(t, [(_req, _i, res) => res.socket?.destroy(), accepted]);
  const client = new IngestClient({ baseUrl: ingest.url }, noWait);
  const outcome = await client.sendEvents(events);
  t.equal(outcome.kind, 'accepted');
  t.equal(outcome.retries, 1);
});

t.test('a 4xx is a bug: reported as refused with its problems, never retried', async (t) => {
  const problems = [{ field: '/item_id', reason: 'is required' }];
  const ingest = await fakeIngest(t, [
    json(400, {
      error: {
        code: 'REC_ERR_INVALID_INPUT',
        message: 'no valid event in the request',
        rejected: [{ index: 0, problems }],
      },
    }),
    accepted,
  ]);
  const errors: unknown[] = [];
  const client = new IngestClient(
    { baseUrl: ingest.url },
    { ...noWait, logger: { ...silentLogger, error: (facts) => errors.push(facts) } },
  );
  const outcome = await client.sendEvents(events);
  t.equal(ingest.received.length, 1, 'not retried');
  t.match(outcome, {
    kind: 'refused',
    status: 400,
    accepted: 0,
    sent: 2,
    rejected: [{ index: 0, problems }],
  });
  t.match(outcome.detail, /no valid event/);
  t.equal(errors.length, 1, 'logged');
});

t.test('per-event rejections in a 202 are reported with their problems', async (t) => {
  const ingest = await fakeIngest(t, [
    json(202, {
      accepted: 1,
      rejected: [
        { index: 1, problems: [{ field: '/query', reason: 'must NOT have fewer than 1 characters' }] },
      ],
    }),
  ]);
  const outcome = await new IngestClient({ baseUrl: `${ingest.url}/` }, noWait).sendEvents(events);
  t.equal(outcome.accepted, 1);
  t.same(outcome.rejected, [
    { index: 1, problems: [{ field: '/query', reason: 'must NOT have fewer than 1 characters' }] },
  ]);
});

t.test('items go to /v1/items in batches of at most 500', async (t) => {
  const ingest = await fakeIngest(t, [accepted]);
  const items = Array.from({ length: 1201 }, (_v, i) => ({
    item_id: `sku-${i}`,
    title: `Item ${i}`,
    category_path: [],
    price: 0,
    currency: 'USD',
    availability: 'in_stock' as const,
    updated_at: '2025-01-01T00:00:00.000Z',
  }));
  const outcomes = await new IngestClient({ baseUrl: ingest.url }, noWait).sendItems(items);
  t.same(
    ingest.received.map((r) => (Array.isArray(r.body) ? r.body.length : -1)),
    [500, 500, 201],
  );
  t.ok(ingest.received.every((r) => r.url === '/v1/items'));
  t.equal(
    outcomes.reduce((s, o) => s + o.accepted, 0),
    1201,
  );
});

t.test('Retry-After is read as seconds or as an HTTP date', (t) => {
  t.equal(parseRetryAfter('2', 0), 2000);
  t.equal(parseRetryAfter('Thu, 01 Jan 1970 00:00:05 GMT', 1000), 4000);
  t.equal(parseRetryAfter(null, 0), undefined);
  t.equal(parseRetryAfter('soon', 0), undefined);
  t.end();
});
