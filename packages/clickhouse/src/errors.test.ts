import t from 'tap';
import { ERROR_CODES, PermanentError, TransientError, isTransient } from '@recstream/errors';
import { classifyClickHouseError } from './errors.js';

/** What @clickhouse/client throws for a server error: an Error with the numeric code as a string. */
function serverError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code, type: 'SOME_TYPE' });
}

function nodeError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:18123`), { code });
}

t.test(
  "server codes for overload, timeouts, read-only replicas and the account's rights are transient",
  (t) => {
    for (const code of [
      '159',
      '164',
      '202',
      '209',
      '210',
      '216',
      '241',
      '242',
      '252',
      '319',
      '425',
      '192',
      '193',
      '291',
      '392',
      '497',
      '516',
    ]) {
      const classified = classifyClickHouseError(serverError(code, `server said ${code}`), 'insert');
      t.type(classified, TransientError, `code ${code}`);
      t.equal(classified.code, ERROR_CODES.unavailable, `code ${code} maps to ${ERROR_CODES.unavailable}`);
    }
    t.end();
  },
);

t.test('other server codes are permanent: retrying a bad statement cannot help', (t) => {
  const cases: [string, string][] = [
    ['60', 'Table test_db.nope does not exist'],
    ['62', 'Syntax error: failed at position 1'],
    ['27', 'Cannot parse input: expected , before: timeout'],
  ];
  for (const [code, message] of cases) {
    const classified = classifyClickHouseError(serverError(code, message), 'query');
    t.type(classified, PermanentError, `code ${code}`);
    t.equal(classified.code, ERROR_CODES.internal);
    t.notOk(isTransient(classified));
  }
  t.end();
});

t.test('a numeric code is read like a string one', (t) => {
  t.type(classifyClickHouseError(Object.assign(new Error('x'), { code: 241 }), 'insert'), TransientError);
  t.type(classifyClickHouseError(Object.assign(new Error('x'), { code: 60 }), 'insert'), PermanentError);
  t.end();
});

t.test('node codes: network failures are transient, any other code permanent', (t) => {
  const expected = {
    ECONNREFUSED: TransientError,
    ECONNRESET: TransientError,
    ETIMEDOUT: TransientError,
    EPIPE: TransientError,
    EHOSTUNREACH: TransientError,
    ENETUNREACH: TransientError,
    EAI_AGAIN: TransientError,
    UND_ERR_SOCKET: TransientError,
    UND_ERR_CONNECT_TIMEOUT: TransientError,
    ENOENT: PermanentError,
    EACCES: PermanentError,
    ERR_INVALID_URL: PermanentError,
    ERR_SOMETHING_NEW: PermanentError,
  };
  for (const [code, kind] of Object.entries(expected)) {
    t.type(classifyClickHouseError(nodeError(code), 'insert'), kind, code);
  }
  const wrapped = new Error('fetch failed', { cause: nodeError('ECONNREFUSED') });
  t.type(classifyClickHouseError(wrapped, 'insert'), TransientError, 'a code on the cause counts too');
  t.end();
});

t.test('without a code, driver timeouts and closed sockets are transient, anything else permanent', (t) => {
  t.type(classifyClickHouseError(new Error('Timeout error.'), 'insert'), TransientError);
  t.type(classifyClickHouseError(new Error('socket hang up'), 'insert'), TransientError);
  t.type(classifyClickHouseError(new Error('The socket was closed unexpectedly'), 'query'), TransientError);
  t.type(classifyClickHouseError(new Error('Unexpected token < in JSON'), 'query'), PermanentError);
  t.type(classifyClickHouseError('a string was thrown', 'query'), PermanentError);
  t.type(classifyClickHouseError(null, 'query'), PermanentError, 'null does not crash the classifier');
  t.type(classifyClickHouseError(undefined, 'query'), PermanentError);
  t.end();
});

t.test('the classified error says what failed and keeps the original', (t) => {
  const original = serverError('60', 'Table test_db.nope does not exist');
  const classified = classifyClickHouseError(original, 'insert');
  t.equal(classified.message, 'clickhouse insert failed: Table test_db.nope does not exist');
  t.equal(classified.cause, original);
  t.same(classified.details, { operation: 'insert', code: '60' });
  t.end();
});

t.test('errors already classified pass through unchanged', (t) => {
  const permanent = new PermanentError(ERROR_CODES.invalidInput, 'bad row');
  const transient = new TransientError(ERROR_CODES.timeout, 'slow');
  t.equal(classifyClickHouseError(permanent, 'insert'), permanent);
  t.equal(classifyClickHouseError(transient, 'insert'), transient);
  t.end();
});
