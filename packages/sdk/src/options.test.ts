import t from 'tap';
import { resolveOptions } from './options.js';
import { createFakeTransport } from './testing/fake-transport.js';

const { transport } = createFakeTransport();

t.test('defaults', (t) => {
  const options = resolveOptions({ endpoint: 'https://collect.test', transport });
  t.equal(options.url, 'https://collect.test/v1/events');
  t.equal(options.batchSize, 50);
  t.equal(options.flushIntervalMs, 2000);
  t.equal(options.maxQueueSize, 10_000);
  t.equal(options.maxAttempts, 10);
  t.same(options.backoff, { baseMs: 500, maxMs: 30_000 });
  t.equal(options.beaconAllowed, true);
  t.equal(options.page, undefined, 'Node: no page to watch');
  t.same(options.headers, { 'content-type': 'application/json' });
  t.end();
});

t.test('every invalid option is listed in one error', (t) => {
  t.throws(
    () =>
      resolveOptions({
        endpoint: 'ftp://collect.test',
        transport,
        batchSize: 0,
        flushIntervalMs: 1.5,
        maxQueueSize: Infinity,
        writeKey: 'has space',
      }),
    {
      name: 'TypeError',
      message:
        'invalid tracker options: endpoint must use http or https, got ftp:; batchSize must be an integer ≥ 1, got 0; ' +
        'flushIntervalMs must be an integer ≥ 0, got 1.5; maxQueueSize must be finite; ' +
        'writeKey must be non-empty printable ASCII without spaces (it travels in a header)',
    },
  );
  t.throws(() => resolveOptions({ endpoint: 'collect.test', transport }), {
    message: /absolute http\(s\) URL/,
  });
  t.throws(() => resolveOptions({ endpoint: 'https://c.test/?k=1', transport }), {
    message: /query or fragment/,
  });
  t.throws(
    () => resolveOptions({ endpoint: 'https://c.test', transport, batchSize: 100, maxQueueSize: 10 }),
    {
      message: /maxQueueSize \(10\) must be ≥ batchSize \(100\)/,
    },
  );
  t.equal(
    resolveOptions({ endpoint: 'https://c.test', transport, maxAttempts: Infinity }).maxAttempts,
    Infinity,
  );
  t.end();
});
