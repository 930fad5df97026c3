/**
 * Reads the collector's answer to `POST /v1/events` into what the tracker must do next. The wire
 * shapes are `CollectorAcceptedResponse` and `CollectorErrorResponse` of `@recstream/schemas`:
 * `202 {accepted, rejected: [{index, problems: [{field, reason}]}]}`, `400 {error: {code, message,
 * rejected?}}` when no record was valid, `413` over the limits, `503` + Retry-After when Kafka did
 * not acknowledge. A response is untrusted input (a proxy may answer instead), so it is checked
 * field by field rather than cast.
 */
import type { FieldProblem } from '@recstream/schemas';
import { parseRetryAfterMs } from './backoff.js';
import type { TransportResponse } from './transport.js';

export type { FieldProblem };

export interface Rejection {
  /** Position of the refused event in the batch that was sent. */
  readonly index: number;
  readonly problems: readonly FieldProblem[];
}

export type Outcome =
  /** The collector answered 2xx: every record not in `rejected` is durable in Kafka. */
  | { readonly kind: 'delivered'; readonly rejected: readonly Rejection[] }
  /** 400 with per-record verdicts: no record was valid. */
  | { readonly kind: 'all_refused'; readonly rejected: readonly Rejection[]; readonly message: string }
  /** Worth retrying the same batch later: 408, 429, 5xx. */
  | { readonly kind: 'retry'; readonly status: number; readonly retryAfterMs: number | undefined }
  /** 413: the batch is over the collector's limits. */
  | { readonly kind: 'too_large'; readonly message: string }
  /** Any other 4xx (bad write key, unsupported encoding…): retrying the same request cannot help. */
  | {
      readonly kind: 'request_refused';
      readonly status: number;
      readonly code: string;
      readonly message: string;
    };

export function readOutcome(response: TransportResponse, nowMs: number): Outcome {
  const { status } = response;
  if (status >= 200 && status < 300) {
    // 2xx is only sent after Kafka acknowledged; an unreadable body loses refusal details, not events.
    const body = parseJson(response.body);
    return { kind: 'delivered', rejected: rejections(isRecord(body) ? body['rejected'] : undefined) };
  }
  if (status === 408 || status === 429 || status >= 500) {
    return { kind: 'retry', status, retryAfterMs: parseRetryAfterMs(response.headers['retry-after'], nowMs) };
  }
  const error = errorBody(response.body);
  const message = error.message ?? `collector answered ${status}`;
  if (status === 413) return { kind: 'too_large', message };
  if (status === 400 && error.rejected.length > 0) {
    return { kind: 'all_refused', rejected: error.rejected, message };
  }
  return { kind: 'request_refused', status, code: error.code ?? `HTTP_${status}`, message };
}

function errorBody(text: string): { code?: string; message?: string; rejected: readonly Rejection[] } {
  const body = parseJson(text);
  const error = isRecord(body) ? body['error'] : undefined;
  if (!isRecord(error)) return { rejected: [] };
  return {
    ...(typeof error['code'] === 'string' ? { code: error['code'] } : {}),
    ...(typeof error['message'] === 'string' ? { message: error['message'] } : {}),
    rejected: rejections(error['rejected']),
  };
}

function rejections(value: unknown): Rejection[] {
  if (!Array.isArray(value)) return [];
  const result: Rejection[] = [];
  for (const entry of value as unknown[]) {
    if (!isRecord(entry) || !Number.isInteger(entry['index'])) continue;
    const problems = Array.isArray(entry['problems'])
      ? (entry['problems'] as unknown[]).filter(isRecord).map((p) => ({
          field: typeof p['field'] === 'string' ? p['field'] : '/',
          reason: typeof p['reason'] === 'string' ? p['reason'] : 'refused',
        }))
      : [];
    result.push({ index: entry['index'] as number, problems });
  }
  return result;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
