import { gunzipSync } from 'node:zlib';
import t from 'tap';
import { createFetchTransport, type FetchLike } from './transport.js';

type Init = Parameters<FetchLike>[1];

function fakeFetch(
  answer: (
    url: string,
    init: Init,
  ) => Promise<{ status: number; headers?: Record<string, string>; body?: string }>,
) {
  const calls: { url: string; init: Init }[] = [];
  const fetch: FetchLike = async (url, init) => {
    calls.push({ url, init });
    const { status, headers = {}, body = '' } = await answer(url, init);
    return { status, headers: new Headers(headers), text: () => Promise.resolve(body) };
  };
  return { fetch, calls };
}

const request = (body: string, keepalive = false) => ({
  url: 'https://collect.test/v1/events',
  body,
  headers: { 'content-type': 'application/json', 'x-write-key': 'wk' },
  keepalive,
});

t.test('posts the body with the headers and returns status, lower-cased headers and body', async (t) => {
  const { fetch, calls } = fakeFetch(() =>
    Promise.resolve({ status: 503, headers: { 'Retry-After': '1' }, body: '{"error":{}}' }),
  );
  const transport = createFetchTransport({ fetch });
  const response = await transport(request('[{"a":1}]'));
  t.equal(response.status, 503);
  t.equal(response.headers['retry-after'], '1');
  t.equal(response.body, '{"error":{}}');
  t.equal(calls[0]?.init.method, 'POST');
  t.equal(calls[0]?.init.body, '[{"a":1}]', 'small bodies are not compressed');
  t.same(calls[0]?.init.headers, { 'content-type': 'application/json', 'x-write-key': 'wk' });
  t.equal(calls[0]?.init.keepalive, false);
});

t.test('gzips large bodies, but not keepalive ones', async (t) => {
  const { fetch, calls } = fakeFetch(() => Promise.resolve({ status: 202 }));
  const transport = createFetchTransport({ fetch, compressMinBytes: 100 });
  const body = JSON.stringify(Array.from({ length: 50 }, (_, i) => ({ type: 'view', item_id: `sku-${i}` })));
  await transport(request(body));
  const sent = calls[0]?.init;
  t.equal(sent?.headers['content-encoding'], 'gzip');
  t.ok(sent?.body instanceof Uint8Array);
  t.equal(gunzipSync(sent?.body as Uint8Array).toString('utf8'), body, 'decompresses to the batch');
  t.ok((sent?.body as Uint8Array).length < body.length, 'smaller on the wire');

  await transport(request(body, true));
  t.equal(calls[1]?.init.body, body, 'keepalive: sent as is, no time for async work');
  t.equal(calls[1]?.init.headers['content-encoding'], undefined);
  t.equal(calls[1]?.init.keepalive, true);

  const plain = createFetchTransport({ fetch, compress: false, compressMinBytes: 100 });
  await plain(request(body));
  t.equal(calls[2]?.init.body, body, 'compression can be turned off');
});

t.test('a request without an answer in time is aborted with a clear error', async (t) => {
  const { fetch } = fakeFetch(
    (_url, init) =>
      new Promise((_resolve, reject) => {
        init.signal.addEventListener('abort', () => reject(new Error('This operation was aborted')));
      }),
  );
  const transport = createFetchTransport({ fetch, timeoutMs: 20 });
  await t.rejects(transport(request('[]')), { message: 'no response within 20 ms' });
});

t.test('network errors reject', async (t) => {
  const { fetch } = fakeFetch(() => Promise.reject(new TypeError('fetch failed')));
  await t.rejects(createFetchTransport({ fetch })(request('[]')), { message: 'fetch failed' });
});
