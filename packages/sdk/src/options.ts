/** The tracker's options, their defaults, and the checks that turn a mistake into a clear error. */
import type { BackoffPolicy } from './backoff.js';
import { systemClock, type Clock } from './clock.js';
import { createIdGenerator } from './event-id.js';
import type { ClickstreamEvent, Identity } from './event-input.js';
import type { FieldProblem } from './collector-response.js';
import { detectPageEnvironment, type PageEnvironment } from './page-lifecycle.js';
import { createFetchTransport, type Transport } from './transport.js';

/** An event the collector refused, with its reasons: fix the data, retrying cannot help. */
export interface RefusedEvent {
  readonly event: ClickstreamEvent;
  readonly problems: readonly FieldProblem[];
}

export type FailureKind =
  /** The queue held `maxQueueSize` events: the new event was not taken. */
  | 'queue_full'
  /** `track()` after `close()`. */
  | 'closed'
  /** The collector refused the whole request (bad write key, 413 for a single event…). */
  | 'request_refused'
  /** Every attempt failed (network, 5xx, 429); the events were not delivered. */
  | 'retries_exhausted'
  /** `close()` reached its deadline with these events still pending. */
  | 'undelivered';

/** Events the tracker could not deliver, and why. Events are never dropped without one of these. */
export interface DeliveryFailure {
  readonly kind: FailureKind;
  readonly message: string;
  readonly events: readonly ClickstreamEvent[];
  /** HTTP status of the last response, when there was one. */
  readonly status?: number;
}

export interface TrackerOptions {
  /** Base URL of the collector, e.g. `https://collect.shop.example`; events go to `<endpoint>/v1/events`. */
  readonly endpoint: string;
  /** Sent as `x-write-key` on every request. */
  readonly writeKey?: string;
  /** Defaults to `createFetchTransport()` (global fetch, gzip where available). */
  readonly transport?: Transport;
  /** Send as soon as this many events are queued. Default 50. */
  readonly batchSize?: number;
  /** Send queued events at most this long after the first of them was tracked. Default 2000. */
  readonly flushIntervalMs?: number;
  /** Upper bound of a request body before compression; keep it under the collector's limit (5 MiB). Default 512 KiB. */
  readonly maxBatchBytes?: number;
  /** Events held at most (queued and in flight); beyond it `track()` refuses new events. Default 10,000. */
  readonly maxQueueSize?: number;
  /** Sends of one event before it is reported as `retries_exhausted`. Default 10; `Infinity` retries until `close()`. */
  readonly maxAttempts?: number;
  /** Exponential backoff with full jitter. Default `{ baseMs: 500, maxMs: 30_000 }`. */
  readonly backoff?: Partial<BackoffPolicy>;
  /** Shopper identity merged into events that do not carry their own. */
  readonly identity?: Identity;
  readonly onRefused?: (refused: readonly RefusedEvent[]) => void;
  readonly onError?: (failure: DeliveryFailure) => void;
  /** Browser page to flush on hide; detected from the globals by default; `false` to disable. */
  readonly page?: PageEnvironment | false;
  readonly clock?: Clock;
  /** Source of randomness for jitter, in [0, 1). */
  readonly random?: () => number;
  readonly generateId?: () => string;
}

export interface ResolvedOptions {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly beaconAllowed: boolean;
  readonly transport: Transport;
  readonly batchSize: number;
  readonly flushIntervalMs: number;
  readonly maxBatchBytes: number;
  readonly maxQueueSize: number;
  readonly maxAttempts: number;
  readonly backoff: BackoffPolicy;
  readonly identity: Identity;
  readonly onRefused: (refused: readonly RefusedEvent[]) => void;
  readonly onError: (failure: DeliveryFailure) => void;
  readonly page: PageEnvironment | undefined;
  readonly clock: Clock;
  readonly random: () => number;
  readonly generateId: () => string;
}

/** Resolves defaults; throws one TypeError listing every invalid option. */
export function resolveOptions(options: TrackerOptions): ResolvedOptions {
  const problems: string[] = [];
  const url = eventsUrl(options.endpoint, problems);
  const integer = (name: string, value: number | undefined, fallback: number, min: number): number => {
    if (value === undefined) return fallback;
    if (!(Number.isInteger(value) || value === Infinity) || value < min) {
      problems.push(`${name} must be an integer ≥ ${min}, got ${String(value)}`);
    }
    return value;
  };
  const batchSize = integer('batchSize', options.batchSize, 50, 1);
  const flushIntervalMs = integer('flushIntervalMs', options.flushIntervalMs, 2000, 0);
  const maxBatchBytes = integer('maxBatchBytes', options.maxBatchBytes, 512 * 1024, 1024);
  const maxQueueSize = integer('maxQueueSize', options.maxQueueSize, 10_000, 1);
  const maxAttempts = integer('maxAttempts', options.maxAttempts, 10, 1);
  const baseMs = integer('backoff.baseMs', options.backoff?.baseMs, 500, 1);
  const maxMs = integer('backoff.maxMs', options.backoff?.maxMs, 30_000, baseMs);
  for (const [name, value] of [
    ['batchSize', batchSize],
    ['flushIntervalMs', flushIntervalMs],
    ['maxBatchBytes', maxBatchBytes],
    ['maxQueueSize', maxQueueSize],
  ] as const) {
    if (value === Infinity) problems.push(`${name} must be finite`);
  }
  if (maxQueueSize < batchSize)
    problems.push(`maxQueueSize (${maxQueueSize}) must be ≥ batchSize (${batchSize})`);
  if (options.writeKey !== undefined && !/^[\x21-\x7e]+$/.test(options.writeKey)) {
    problems.push('writeKey must be non-empty printable ASCII without spaces (it travels in a header)');
  }
  if (problems.length > 0) throw new TypeError(`invalid tracker options: ${problems.join('; ')}`);

  return {
    url,
    headers: {
      'content-type': 'application/json',
      ...(options.writeKey === undefined ? {} : { 'x-write-key': options.writeKey }),
    },
    // A beacon cannot carry headers, so it cannot carry the write key.
    beaconAllowed: options.writeKey === undefined,
    transport: options.transport ?? createFetchTransport(),
    batchSize,
    flushIntervalMs,
    maxBatchBytes,
    maxQueueSize,
    maxAttempts,
    backoff: { baseMs, maxMs },
    identity: options.identity ?? {},
    onRefused: options.onRefused ?? warnRefused,
    onError: options.onError ?? warnFailure,
    page: options.page === false ? undefined : (options.page ?? detectPageEnvironment()),
    clock: options.clock ?? systemClock,
    random: options.random ?? Math.random,
    generateId: options.generateId ?? createIdGenerator(),
  };
}

function eventsUrl(endpoint: string, problems: string[]): string {
  let parsed: URL;
  try {
    parsed = new URL(endpoint);
  } catch {
    problems.push(`endpoint must be an absolute http(s) URL, got ${JSON.stringify(endpoint)}`);
    return '';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    problems.push(`endpoint must use http or https, got ${parsed.protocol}`);
  }
  if (parsed.search !== '' || parsed.hash !== '') problems.push('endpoint must not have a query or fragment');
  // Keep any path prefix (a collector mounted under /rec/ behind the shop's own domain).
  return `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}/v1/events`;
}

/*
 * Defaults for callers who pass no callbacks: the SDK has no logger of its own, and an event lost
 * without a trace is worse than a console line.
 */
function warnRefused(refused: readonly RefusedEvent[]): void {
  // eslint-disable-next-line no-console -- see above
  console.warn('recstream: the collector refused events', refused);
}

function warnFailure(failure: DeliveryFailure): void {
  // eslint-disable-next-line no-console -- see above
  console.warn(
    `recstream: ${failure.events.length} event(s) not delivered (${failure.kind}): ${failure.message}`,
  );
}
