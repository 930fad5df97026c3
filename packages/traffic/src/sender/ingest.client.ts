/**
 * HTTP client for the ingest collector.
 *
 * - `POST /v1/items`: catalog items, in batches of up to 500.
 * - `POST /v1/events`: one batch of events; 202 `{ accepted, rejected: [{ index, problems }] }`.
 *
 * Failures are classified here, once: 503/429/5xx, timeouts and network errors are transient and
 * retried with bounded exponential backoff (honouring Retry-After), resending the same batch so
 * the event ids dedup; other 4xx are permanent (a bug in what we send) and come back as a
 * `refused` outcome to be logged and counted, never retried. When retries run out the call throws
 * `IngestUnavailableError`.
 */
import type { CatalogItem, ClickstreamEvent, FieldProblem } from '@recstream/schemas';
import type { TrafficLogger } from '../log.js';

export interface RejectedEntry {
  /** Index in the batch that was sent. */
  readonly index: number;
  readonly problems: readonly FieldProblem[];
}

export interface BatchOutcome {
  /**
   * `accepted`: ingest answered 2xx (some entries may still be rejected); `refused`: a 4xx, e.g. a
   * 400 when no record of the batch was valid (its per-record problems are in `rejected`).
   */
  readonly kind: 'accepted' | 'refused';
  readonly status: number;
  readonly sent: number;
  readonly accepted: number;
  readonly rejected: readonly RejectedEntry[];
  /** Attempts beyond the first. */
  readonly retries: number;
  /** Start of the response body, for refused batches. */
  readonly detail?: string;
}

export interface IngestClientOptions {
  readonly baseUrl: string;
  /** Extra request headers: the source's write key (`x-write-key`), for one. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Attempts in all per batch, first included. */
  readonly maxAttempts?: number;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Longest Retry-After we honour. */
  readonly maxRetryAfterMs?: number;
  readonly timeoutMs?: number;
  readonly itemBatchSize?: number;
}

export interface IngestClientDeps {
  readonly logger: TrafficLogger;
  readonly fetch?: typeof fetch;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly random?: () => number;
  /** Hard stop: abandons retries and in-flight requests. */
  readonly signal?: AbortSignal;
}

export const ERR_INGEST_UNAVAILABLE = 'REC_ERR_INGEST_UNAVAILABLE';
export const MAX_ITEMS_PER_BATCH = 500;

export class IngestUnavailableError extends Error {
  readonly code = ERR_INGEST_UNAVAILABLE;

  constructor(
    readonly path: string,
    readonly attempts: number,
    readonly lastFailure: string,
    options?: ErrorOptions,
  ) {
    super(`ingest ${path} still failing after ${attempts} attempts: ${lastFailure}`, options);
    this.name = 'IngestUnavailableError';
  }
}

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) return resolve();
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Retry-After as seconds or an HTTP date, in milliseconds; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null, nowMs: number): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/** `fetch failed (ECONNREFUSED)`, `TimeoutError: …`: the message plus undici's cause code. */
function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause: unknown = error.cause;
  const code =
    typeof cause === 'object' && cause !== null && 'code' in cause ? String(cause.code) : undefined;
  const text = error.name === 'TypeError' ? error.message : `${error.name}: ${error.message}`;
  return code === undefined ? text : `${text} (${code})`;
}

function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Per-record rejections: `rejected` of a 202, or `error.rejected` of a 400 where none was valid. */
function readRejected(body: unknown): RejectedEntry[] {
  if (!isRecord(body)) return [];
  const list = Array.isArray(body['rejected'])
    ? body['rejected']
    : isRecord(body['error']) && Array.isArray(body['error']['rejected'])
      ? body['error']['rejected']
      : [];
  return list.filter(isRecord).map((entry) => ({
    index: typeof entry['index'] === 'number' ? entry['index'] : -1,
    problems: Array.isArray(entry['problems'])
      ? entry['problems']
          .filter(isRecord)
          .map((p) => ({ field: String(p['field']), reason: String(p['reason']) }))
      : [],
  }));
}

type Attempt =
  | { readonly kind: 'done'; readonly status: number; readonly body: unknown; readonly text: string }
  | {
      readonly kind: 'transient';
      readonly failure: string;
      readonly retryAfterMs?: number | undefined;
      readonly cause?: unknown;
    };

export class IngestClient {
  private readonly baseUrl: string;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly timeoutMs: number;
  private readonly itemBatchSize: number;
  private readonly fetch: typeof fetch;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly random: () => number;

  constructor(
    private readonly options: IngestClientOptions,
    private readonly deps: IngestClientDeps,
  ) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.maxAttempts = options.maxAttempts ?? 8;
    this.baseDelayMs = options.baseDelayMs ?? 250;
    this.maxDelayMs = options.maxDelayMs ?? 15_000;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.itemBatchSize = Math.min(options.itemBatchSize ?? MAX_ITEMS_PER_BATCH, MAX_ITEMS_PER_BATCH);
    this.fetch = deps.fetch ?? globalThis.fetch;
    this.sleep = deps.sleep ?? abortableSleep;
    this.random = deps.random ?? Math.random;
    if (!(this.maxAttempts >= 1)) throw new Error('maxAttempts must be at least 1');
  }

  /** Sends one batch of events. */
  sendEvents(events: readonly ClickstreamEvent[]): Promise<BatchOutcome> {
    return this.post('/v1/events', events);
  }

  /** Sends catalog items in batches of up to 500; one outcome per batch. */
  async sendItems(items: readonly CatalogItem[]): Promise<BatchOutcome[]> {
    const outcomes: BatchOutcome[] = [];
    for (let start = 0; start < items.length; start += this.itemBatchSize) {
      outcomes.push(await this.post('/v1/items', items.slice(start, start + this.itemBatchSize)));
    }
    return outcomes;
  }

  private async post(path: string, batch: readonly unknown[]): Promise<BatchOutcome> {
    const body = JSON.stringify(batch);
    let lastFailure = 'no attempt made';
    let lastCause: unknown;
    for (let attempt = 0; attempt < this.maxAttempts; attempt += 1) {
      if (this.deps.signal?.aborted === true) break;
      const result = await this.attempt(path, body);
      if (result.kind === 'done') return this.outcome(path, batch.length, result, attempt);
      lastFailure = result.failure;
      lastCause = result.cause;
      if (attempt + 1 >= this.maxAttempts) break;
      const delayMs = this.delayBeforeRetry(attempt, result.retryAfterMs);
      this.deps.logger.warn(
        { path, attempt: attempt + 1, failure: result.failure, delay_ms: delayMs, size: batch.length },
        'ingest unavailable, retrying batch',
      );
      await this.sleep(delayMs, this.deps.signal);
    }
    throw new IngestUnavailableError(path, this.maxAttempts, lastFailure, { cause: lastCause });
  }

  private async attempt(path: string, body: string): Promise<Attempt> {
    const signals = [AbortSignal.timeout(this.timeoutMs)];
    if (this.deps.signal !== undefined) signals.push(this.deps.signal);
    let response: Response;
    try {
      response = await this.fetch(`${this.baseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...this.options.headers },
        body,
        signal: AbortSignal.any(signals),
      });
    } catch (error) {
      // fetch rejects only for network failures, timeouts and aborts: all transient from here.
      return { kind: 'transient', failure: describeNetworkError(error), cause: error };
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      return { kind: 'transient', failure: `reading the response failed: ${String(error)}`, cause: error };
    }
    if (isRetryableStatus(response.status)) {
      return {
        kind: 'transient',
        failure: `HTTP ${response.status}`,
        retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), Date.now()),
      };
    }
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { kind: 'done', status: response.status, body: parsed, text };
  }

  private outcome(
    path: string,
    size: number,
    result: Extract<Attempt, { kind: 'done' }>,
    retries: number,
  ): BatchOutcome {
    if (result.status >= 200 && result.status < 300) {
      const rejected = readRejected(result.body);
      const reported = isRecord(result.body) ? result.body['accepted'] : undefined;
      const accepted = typeof reported === 'number' ? reported : size - rejected.length;
      return { kind: 'accepted', status: result.status, sent: size, accepted, rejected, retries };
    }
    const detail = result.text.slice(0, 500);
    const rejected = readRejected(result.body);
    this.deps.logger.error({ path, status: result.status, size, detail }, 'ingest refused batch');
    return { kind: 'refused', status: result.status, sent: size, accepted: 0, rejected, retries, detail };
  }

  private delayBeforeRetry(attempt: number, retryAfterMs: number | undefined): number {
    if (retryAfterMs !== undefined) return Math.min(retryAfterMs, this.maxRetryAfterMs);
    const ceiling = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** attempt);
    return Math.round(ceiling / 2 + (this.random() * ceiling) / 2);
  }
}
