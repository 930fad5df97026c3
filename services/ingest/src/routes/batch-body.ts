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

export function parseNdjson(text: string): NdjsonBody {
  const records: ParsedRecord[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
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
