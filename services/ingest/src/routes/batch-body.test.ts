import t from 'tap';
import { ERROR_CODES, PermanentError } from '@recstream/errors';
import { assertArrayLength, parseNdjson } from './batch-body.js';

t.test('NDJSON: one record a non-blank line; a bad line is a rejection of that line only', (t) => {
  const body = parseNdjson('{"a":1}\n\n  \nnot json\r\n{"b":2}', 10);
  t.same(
    body.records.map((r) => r.ok),
    [true, false, true],
  );
  t.end();
});

t.test('NDJSON over the maximum is refused before the lines past it are parsed', (t) => {
  // What a 12 KB gzip body can inflate to: 2.6 million one-character records.
  const text = '1\n'.repeat(2_600_000);
  const parse = t.capture(JSON, 'parse', JSON.parse);
  const error = t.throws(() => parseNdjson(text, 1000)) as unknown;
  t.ok(error instanceof PermanentError, 'a permanent error');
  t.match(error, { code: ERROR_CODES.payloadTooLarge, details: { statusCode: 413 } }, 'answered 413');
  t.equal(parse.args().length, 1000, 'only the records up to the maximum were parsed');
  t.end();
});

t.test('a JSON array over the maximum is refused with its length; at the maximum it passes', (t) => {
  t.throws(() => assertArrayLength(new Array(1001).fill(1), 1000), {
    message: /batch of 1001 records exceeds the maximum of 1000/,
  });
  t.doesNotThrow(() => assertArrayLength(new Array(1000).fill(1), 1000));
  t.doesNotThrow(() => assertArrayLength({ item_ids: new Array(5000).fill('x') }, 1000), 'not an array');
  t.end();
});
