import t from 'tap';
import { readOutcome } from './collector-response.js';

const now = Date.parse('2026-05-01T12:00:00Z');
const response = (status: number, body: unknown, headers: Record<string, string> = {}) => ({
  status,
  headers,
  body: typeof body === 'string' ? body : JSON.stringify(body),
});
const problems = [{ field: '/item_id', reason: 'is required' }];

t.test('2xx: delivered, with the per-record refusals', (t) => {
  t.same(readOutcome(response(202, { accepted: 1, rejected: [{ index: 1, problems }] }), now), {
    kind: 'delivered',
    rejected: [{ index: 1, problems }],
  });
  t.same(
    readOutcome(response(202, '<html>proxy</html>'), now),
    { kind: 'delivered', rejected: [] },
    'an unreadable 2xx still means durable',
  );
  t.same(
    readOutcome(response(202, { rejected: [{ index: 'x' }, { index: 2, problems: [{}] }] }), now),
    { kind: 'delivered', rejected: [{ index: 2, problems: [{ field: '/', reason: 'refused' }] }] },
    'malformed entries are read defensively',
  );
  t.end();
});

t.test('400 with records: every record refused', (t) => {
  const outcome = readOutcome(
    response(400, {
      error: { code: 'REC_ERR_INVALID_INPUT', message: 'no valid event', rejected: [{ index: 0, problems }] },
    }),
    now,
  );
  t.same(outcome, { kind: 'all_refused', rejected: [{ index: 0, problems }], message: 'no valid event' });
  t.end();
});

t.test('408, 429 and 5xx: retry, with Retry-After when given', (t) => {
  t.same(readOutcome(response(503, {}, { 'retry-after': '2' }), now), {
    kind: 'retry',
    status: 503,
    retryAfterMs: 2000,
  });
  t.same(readOutcome(response(429, {}), now), { kind: 'retry', status: 429, retryAfterMs: undefined });
  t.equal(readOutcome(response(408, ''), now).kind, 'retry');
  t.equal(readOutcome(response(502, 'Bad Gateway'), now).kind, 'retry');
  t.end();
});

t.test('413 and other 4xx are final', (t) => {
  t.same(
    readOutcome(response(413, { error: { code: 'REC_ERR_PAYLOAD_TOO_LARGE', message: 'too big' } }), now),
    {
      kind: 'too_large',
      message: 'too big',
    },
  );
  t.same(readOutcome(response(401, { error: { code: 'REC_ERR_UNAUTHORIZED', message: 'bad key' } }), now), {
    kind: 'request_refused',
    status: 401,
    code: 'REC_ERR_UNAUTHORIZED',
    message: 'bad key',
  });
  t.same(readOutcome(response(404, 'Not Found'), now), {
    kind: 'request_refused',
    status: 404,
    code: 'HTTP_404',
    message: 'collector answered 404',
  });
  t.equal(
    readOutcome(response(400, { error: { code: 'REC_ERR_INVALID_INPUT', message: 'bad json' } }), now).kind,
    'request_refused',
    '400 without records',
  );
  t.end();
});
