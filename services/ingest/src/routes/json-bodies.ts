/**
 * Body parsers for JSON and NDJSON that refuse bytes which are not UTF-8.
 *
 * Decoding invalid UTF-8 the usual way replaces each bad byte with U+FFFD, so an event would be
 * stored with text the client never sent. A body that is not UTF-8 is a client bug (a wrong
 * charset, a truncated multi-byte character); it is answered 400 with a reason instead. Parsing
 * itself stays Fastify's (with its protection against `__proto__` poisoning).
 */
import { isUtf8 } from 'node:buffer';
import type { FastifyInstance } from 'fastify';
import { ERROR_CODES, PermanentError } from '@recstream/errors';
import { assertArrayLength, parseNdjson } from './batch-body.js';

function notUtf8(): PermanentError {
  return new PermanentError(ERROR_CODES.invalidInput, 'request body is not valid UTF-8', {
    details: { statusCode: 400 },
  });
}

/**
 * `maxRecords` bounds a batch at parse time: a longer JSON array or NDJSON body is answered 413
 * before any record is built from it.
 */
export function registerJsonBodies(app: FastifyInstance, options: { maxRecords: number }): void {
  const parseJson = app.getDefaultJsonParser('error', 'ignore');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const bytes = body as Buffer;
    if (!isUtf8(bytes)) {
      done(notUtf8(), undefined);
      return;
    }
    void parseJson(request, bytes.toString('utf8'), (error, body) => {
      if (error !== null) {
        done(error, undefined);
        return;
      }
      try {
        assertArrayLength(body, options.maxRecords);
      } catch (tooLarge) {
        done(tooLarge as PermanentError, undefined);
        return;
      }
      done(null, body);
    });
  });
  app.addContentTypeParser('application/x-ndjson', { parseAs: 'buffer' }, (_request, body, done) => {
    const bytes = body as Buffer;
    if (!isUtf8(bytes)) {
      done(notUtf8(), undefined);
      return;
    }
    let records;
    try {
      records = parseNdjson(bytes.toString('utf8'), options.maxRecords);
    } catch (tooLarge) {
      done(tooLarge as PermanentError, undefined);
      return;
    }
    done(null, records);
  });
}
