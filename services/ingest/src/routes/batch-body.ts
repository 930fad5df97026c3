/**
 * Turns a request body into a list of records: a single JSON object, a JSON array, or NDJSON
 * (one JSON document per line). A line that is not JSON becomes a rejection for that index,
 * not a failure of the whole request.
 */
import { ERROR_CODES, PermanentError } from '@recstream/errors';
import type { FieldProblem } from '@recstream/schemas';

export type ParsedRecord =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly problems: FieldProblem[]; readonly raw: string };

export class NdjsonBody {
  constructor(readonly records: ParsedRecord[]) {}
}

/**
 * Parses NDJSON, refusing with 413 as soon as the body holds more than `maxRecords` records: a
 * small gzip body can inflate to millions of one-character lines, and building a record for each
 * before counting them would cost the collector a second of CPU and hundreds of MB per request.
 */
export function parseNdjson(text: string, maxRecords: number): NdjsonBody {
  const records: ParsedRecord[] = [];
  let start = 0;
  while (start <= text.length) {
    const newline = text.indexOf('\n', start);
    const end = newline === -1 ? text.length : newline;
    const line = text.slice(start, end);
    start = end + 1;
    if (!NON_BLANK.test(line)) continue;
    if (records.length === maxRecords) throw tooManyRecords(maxRecords);
    try {
      records.push({ ok: true, value: JSON.parse(line) as unknown });
    } catch (error) {
      records.push({
        ok: false,
        problems: [{ field: '/', reason: `not valid JSON: ${(error as Error).message}` }],
        raw: line,
      });
    }
  }
  return new NdjsonBody(records);
}

const NON_BLANK = /\S/;

function tooManyRecords(max: number, count?: number): PermanentError {
  return new PermanentError(
    ERROR_CODES.payloadTooLarge,
    `batch of ${count ?? `more than ${max}`} records exceeds the maximum of ${max}`,
    { details: { statusCode: 413 } },
  );
}

/** Refuses a parsed JSON array longer than the maximum before anything is built from it. */
export function assertArrayLength(body: unknown, maxRecords: number): void {
  if (Array.isArray(body) && body.length > maxRecords) throw tooManyRecords(maxRecords, body.length);
}

export function bodyRecords(body: unknown): ParsedRecord[] {
  if (body instanceof NdjsonBody) return body.records;
  if (Array.isArray(body)) return body.map((value: unknown) => ({ ok: true, value }));
  return [{ ok: true, value: body }];
}

/** Refuses a request with more records than the documented maximum: 413, nothing taken. */
export function assertBatchSize(count: number, max: number, noun: 'events' | 'items'): void {
  if (count > max) {
    throw new PermanentError(
      ERROR_CODES.payloadTooLarge,
      `batch of ${count} ${noun} exceeds the maximum of ${max}`,
      {
        details: { statusCode: 413 },
      },
    );
  }
}
