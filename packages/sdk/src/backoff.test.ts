import t from 'tap';
import { MAX_RETRY_AFTER_MS, fullJitterDelayMs, parseRetryAfterMs, retryDelayMs } from './backoff.js';

const policy = { baseMs: 100, maxMs: 1000 };

t.test('full jitter: uniform below a ceiling that doubles per failure up to the cap', (t) => {
  const top = () => 0.999999;
  t.same(
    [1, 2, 3, 4, 5, 6].map((failures) => fullJitterDelayMs(policy, failures, top)),
    [99, 199, 399, 799, 999, 999],
  );
  t.equal(
    fullJitterDelayMs(policy, 3, () => 0),
    0,
    'full jitter may retry at once',
  );
  t.equal(
    fullJitterDelayMs(policy, 3, () => 0.5),
    200,
  );
  t.end();
});

t.test('Retry-After: seconds or an HTTP date, bounded; garbage is ignored', (t) => {
  const now = Date.parse('2026-05-01T12:00:00Z');
  t.equal(parseRetryAfterMs('5', now), 5000);
  t.equal(parseRetryAfterMs(' 0 ', now), 0);
  t.equal(parseRetryAfterMs('Fri, 01 May 2026 12:00:30 GMT', now), 30_000);
  t.equal(parseRetryAfterMs('Fri, 01 May 2026 11:00:00 GMT', now), 0, 'a date in the past: now');
  t.equal(parseRetryAfterMs('86400', now), MAX_RETRY_AFTER_MS);
  for (const bad of [undefined, null, '', 'soon', '-1', '1.5'])
    t.equal(parseRetryAfterMs(bad, now), undefined, String(bad));
  t.end();
});

t.test('the retry waits for the longer of Retry-After and the jittered backoff', (t) => {
  t.equal(
    retryDelayMs(policy, 1, 3000, () => 0.5),
    3000,
  );
  t.equal(
    retryDelayMs(policy, 5, 10, () => 0.5),
    500,
  );
  t.equal(
    retryDelayMs(policy, 2, undefined, () => 0.5),
    100,
  );
  t.end();
});
