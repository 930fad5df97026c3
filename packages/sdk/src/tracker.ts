/**
 * The tracker: queues events, sends them in batches, retries what may succeed later and reports
 * what will not.
 *
 * Delivery contract:
 * - Every event gets its `event_id` once, when tracked; retries resend the same ids, and the
 *   collector's downstream (sink, features) dedups on them. An id already pending is not queued twice.
 * - One regular request is in flight at a time, so events leave in the order they were tracked
 *   (the collector keeps per-shopper order from there on).
 * - Network errors, 408, 429 and 5xx are retried with exponential backoff and full jitter, never
 *   sooner than a Retry-After; per-event verdicts (refusals) and other 4xx are final and reported.
 * - The queue is bounded; when it is full, new events are refused (`track()` says so and `onError`
 *   is called) rather than dropping old ones: the caller learns at once, and what is already
 *   queued — possibly waiting out a collector outage — keeps its place.
 */
import { retryDelayMs } from './backoff.js';
import type { TimerHandle } from './clock.js';
import { readOutcome, type Rejection } from './collector-response.js';
import type { ClickstreamEvent, EventType, FieldsOf, Identity, TrackInput } from './event-input.js';
import {
  resolveOptions,
  type DeliveryFailure,
  type FailureKind,
  type RefusedEvent,
  type ResolvedOptions,
  type TrackerOptions,
} from './options.js';
import { BEACON_MAX_BYTES, watchPageHide } from './page-lifecycle.js';

export type TrackResult =
  | { readonly queued: true; readonly eventId: string }
  | {
      readonly queued: false;
      readonly eventId: string;
      readonly reason: 'queue_full' | 'duplicate' | 'closed';
    };

export interface Tracker {
  /** Queues an event; fills `event_id` and `timestamp` when absent. Never throws for a full queue. */
  track(event: TrackInput): TrackResult;
  view(fields: FieldsOf<'view'>): TrackResult;
  click(fields: FieldsOf<'click'>): TrackResult;
  addToCart(fields: FieldsOf<'add_to_cart'>): TrackResult;
  removeFromCart(fields: FieldsOf<'remove_from_cart'>): TrackResult;
  purchase(fields: FieldsOf<'purchase'>): TrackResult;
  search(fields: FieldsOf<'search'>): TrackResult;
  impression(fields: FieldsOf<'impression'>): TrackResult;
  /** Replaces the identity merged into later events (fields an event carries itself win). */
  identify(identity: Identity): void;
  /** Sends everything queued now; resolves when each of those events is delivered, refused or reported failed. */
  flush(): Promise<void>;
  /**
   * Stops taking events, flushes, and waits for delivery — at most `timeoutMs` (default: until
   * every event is settled, which `maxAttempts` bounds); events still pending then are reported
   * as `undelivered`. Idempotent.
   */
  close(options?: { timeoutMs?: number }): Promise<void>;
  /** Events held: queued, waiting to be retried, or in flight. */
  readonly pending: number;
}

export function createTracker(options: TrackerOptions): Tracker {
  return new BatchingTracker(resolveOptions(options));
}

interface Pending {
  readonly id: string;
  /** The event as serialized when tracked: later changes to the caller's object do not leak in. */
  readonly json: string;
  /** UTF-8 length of `json`. */
  readonly bytes: number;
  /** Sends so far. */
  attempts: number;
}

interface FlushWaiter {
  readonly ids: readonly string[];
  readonly resolve: () => void;
}

class BatchingTracker implements Tracker {
  /** Waiting to be sent, oldest first; failed batches go back to the front. */
  private readonly queue: Pending[] = [];
  /** Every event held (queued and in flight), by id: the dedup set and the queue bound. */
  private readonly held = new Map<string, Pending>();
  private identity: Identity;
  private regularSend: Promise<void> | undefined;
  private readonly keepaliveSends = new Set<Promise<void>>();
  private intervalTimer: TimerHandle | undefined;
  private backoffTimer: TimerHandle | undefined;
  /** Send whatever is queued, not only full batches (interval elapsed, flush, retry, close). */
  private draining = false;
  private consecutiveFailures = 0;
  /** Lowered after a 413 so the next batches fit; restored after a success. */
  private batchLimit: number;
  private closed = false;
  private closing: Promise<void> | undefined;
  private readonly waiters: FlushWaiter[] = [];
  /** Keeps a Node process alive while someone awaits flush() or close(); our own timers are unref'd. */
  private releaseHold: (() => void) | undefined;
  private readonly stopWatchingPage: () => void;

  constructor(private readonly options: ResolvedOptions) {
    this.identity = options.identity;
    this.batchLimit = options.batchSize;
    this.stopWatchingPage =
      options.page === undefined ? () => undefined : watchPageHide(options.page, () => this.sendOnPageHide());
  }

  get pending(): number {
    return this.held.size;
  }

  track(input: TrackInput): TrackResult {
    if (
      typeof input !== 'object' ||
      input === null ||
      typeof (input as { type?: unknown }).type !== 'string'
    ) {
      throw new TypeError('track() takes an event object with a string `type`');
    }
    const event = {
      ...this.identity,
      ...input,
      event_id: input.event_id ?? this.options.generateId(),
      timestamp: input.timestamp ?? new Date(this.options.clock.now()).toISOString(),
    } as ClickstreamEvent;
    const eventId = event.event_id;
    if (this.held.has(eventId)) return { queued: false, eventId, reason: 'duplicate' };
    if (this.closed) {
      this.fail('closed', 'the tracker is closed', [event]);
      return { queued: false, eventId, reason: 'closed' };
    }
    if (this.held.size >= this.options.maxQueueSize) {
      this.fail('queue_full', `the queue holds its maximum of ${this.options.maxQueueSize} events`, [event]);
      return { queued: false, eventId, reason: 'queue_full' };
    }
    const json = JSON.stringify(event);
    const entry: Pending = { id: eventId, json, bytes: utf8Length(json), attempts: 0 };
    this.held.set(eventId, entry);
    this.queue.push(entry);
    this.pump();
    return { queued: true, eventId };
  }

  view(fields: FieldsOf<'view'>): TrackResult {
    return this.trackType('view', fields);
  }
  click(fields: FieldsOf<'click'>): TrackResult {
    return this.trackType('click', fields);
  }
  addToCart(fields: FieldsOf<'add_to_cart'>): TrackResult {
    return this.trackType('add_to_cart', fields);
  }
  removeFromCart(fields: FieldsOf<'remove_from_cart'>): TrackResult {
    return this.trackType('remove_from_cart', fields);
  }
  purchase(fields: FieldsOf<'purchase'>): TrackResult {
    return this.trackType('purchase', fields);
  }
  search(fields: FieldsOf<'search'>): TrackResult {
    return this.trackType('search', fields);
  }
  impression(fields: FieldsOf<'impression'>): TrackResult {
    return this.trackType('impression', fields);
  }

  identify(identity: Identity): void {
    this.identity = { ...identity };
  }

  flush(): Promise<void> {
    const ids = [...this.held.keys()];
    if (ids.length === 0) return Promise.resolve();
    const done = new Promise<void>((resolve) => this.waiters.push({ ids, resolve }));
    this.releaseHold ??= this.options.clock.hold();
    this.draining = true;
    this.pump();
    return done;
  }

  close(options: { timeoutMs?: number } = {}): Promise<void> {
    this.closing ??= this.shutDown(options.timeoutMs);
    return this.closing;
  }

  private async shutDown(timeoutMs: number | undefined): Promise<void> {
    this.closed = true;
    this.stopWatchingPage();
    let deadline: TimerHandle | undefined;
    const flushed = this.flush();
    if (timeoutMs === undefined) {
      await flushed;
    } else {
      await Promise.race([
        flushed,
        new Promise<void>((resolve) => {
          deadline = this.options.clock.setTimeout(resolve, timeoutMs);
        }),
      ]);
      if (deadline !== undefined) this.options.clock.clearTimeout(deadline);
    }
    const left = [...this.held.values()];
    if (left.length > 0) {
      this.settle(left);
      this.fail('undelivered', `close() gave up after ${String(timeoutMs)} ms`, left.map(parse));
    }
    this.queue.length = 0;
    this.clearTimers();
  }

  private trackType<T extends EventType>(type: T, fields: FieldsOf<T>): TrackResult {
    // Generic over T, TypeScript cannot see that Omit<EventOf<T>, 'type'> plus `type: T` is EventOf<T>.
    return this.track({ ...fields, type } as unknown as TrackInput);
  }

  /** Starts the next regular send if one is due, or arms the interval timer. */
  private pump(): void {
    if (this.regularSend !== undefined || this.backoffTimer !== undefined) return;
    if (this.queue.length === 0) {
      this.draining = false;
      return;
    }
    if (!this.draining && this.queue.length < this.options.batchSize) {
      this.armInterval();
      return;
    }
    this.clearInterval();
    const batch = this.takeBatch(this.batchLimit, this.options.maxBatchBytes);
    this.regularSend = this.send(batch, false).finally(() => {
      this.regularSend = undefined;
      this.pump();
    });
  }

  private armInterval(): void {
    if (this.intervalTimer !== undefined) return;
    this.intervalTimer = this.options.clock.setTimeout(() => {
      this.intervalTimer = undefined;
      this.draining = true;
      this.pump();
    }, this.options.flushIntervalMs);
  }

  private clearInterval(): void {
    if (this.intervalTimer === undefined) return;
    this.options.clock.clearTimeout(this.intervalTimer);
    this.intervalTimer = undefined;
  }

  private clearTimers(): void {
    this.clearInterval();
    if (this.backoffTimer !== undefined) this.options.clock.clearTimeout(this.backoffTimer);
    this.backoffTimer = undefined;
  }

  /** Takes the oldest events, up to `maxEvents` and `maxBytes` of JSON array (always at least one). */
  private takeBatch(maxEvents: number, maxBytes: number): Pending[] {
    let bytes = 2; // []
    let count = 0;
    for (const entry of this.queue) {
      if (count >= maxEvents) break;
      const added = entry.bytes + (count > 0 ? 1 : 0); // comma
      if (count > 0 && bytes + added > maxBytes) break;
      bytes += added;
      count += 1;
    }
    return this.queue.splice(0, count);
  }

  /**
   * The page may be gone in a moment: hand everything queued to the browser now, in bodies that
   * fit its 64 KiB budget, without waiting for batch size, interval or backoff. A beacon gives no
   * answer, so beaconed events count as delivered; a keepalive fetch is answered like any send if
   * the page lives on (a hidden tab), and retried then if it failed. A request already in flight
   * is left to the browser.
   */
  private sendOnPageHide(): void {
    const { page, beaconAllowed, url } = this.options;
    this.clearInterval();
    while (this.queue.length > 0) {
      const head = this.queue[0];
      if (head === undefined || head.bytes + 2 > BEACON_MAX_BYTES) break; // too big for any page-hide channel
      const batch = this.takeBatch(this.batchLimit, BEACON_MAX_BYTES);
      if (beaconAllowed && page?.sendBeacon !== undefined && beacon(page.sendBeacon, url, body(batch))) {
        this.settle(batch);
        continue;
      }
      const send = this.send(batch, true).finally(() => {
        this.keepaliveSends.delete(send);
        this.pump();
      });
      this.keepaliveSends.add(send);
    }
  }

  /** Sends one batch and acts on the answer. Never rejects. */
  private async send(batch: Pending[], keepalive: boolean): Promise<void> {
    for (const entry of batch) entry.attempts += 1;
    let response;
    try {
      response = await this.options.transport({
        url: this.options.url,
        body: body(batch),
        headers: this.options.headers,
        keepalive,
      });
    } catch (error) {
      this.retryLater(
        batch,
        undefined,
        `no response: ${error instanceof Error ? error.message : String(error)}`,
      );
      return;
    }
    const outcome = readOutcome(response, this.options.clock.now());
    // Events settled while the request was out (close() deadline) were reported already.
    const live = new Set(batch.filter((entry) => this.held.get(entry.id) === entry));
    switch (outcome.kind) {
      case 'delivered':
        this.consecutiveFailures = 0;
        this.batchLimit = this.options.batchSize;
        this.settle(batch);
        this.refuse(batch, live, outcome.rejected, undefined);
        return;
      case 'all_refused':
        this.settle(batch);
        this.refuse(batch, live, outcome.rejected, outcome.message);
        return;
      case 'retry':
        this.retryLater(batch, outcome.retryAfterMs, `collector answered ${outcome.status}`, outcome.status);
        return;
      case 'too_large':
        if (batch.length > 1) {
          // Split and resend at once: the request was refused whole, nothing of it was stored.
          for (const entry of batch) entry.attempts -= 1;
          this.batchLimit = Math.max(1, Math.floor(batch.length / 2));
          this.requeue(batch);
          this.draining = true;
          return;
        }
        this.settle(batch);
        this.fail(
          'request_refused',
          `event too large for the collector: ${outcome.message}`,
          [...live].map(parse),
          413,
        );
        return;
      case 'request_refused':
        this.settle(batch);
        this.fail(
          'request_refused',
          `${outcome.code}: ${outcome.message}`,
          [...live].map(parse),
          outcome.status,
        );
        return;
    }
  }

  /** Puts a failed batch back at the front and waits before the next regular send. */
  private retryLater(
    batch: Pending[],
    retryAfterMs: number | undefined,
    reason: string,
    status?: number,
  ): void {
    const live = batch.filter((entry) => this.held.get(entry.id) === entry);
    const exhausted = live.filter((entry) => entry.attempts >= this.options.maxAttempts);
    if (exhausted.length > 0) {
      this.settle(exhausted);
      this.fail(
        'retries_exhausted',
        `not delivered after ${this.options.maxAttempts} attempts; last: ${reason}`,
        exhausted.map(parse),
        status,
      );
    }
    this.requeue(live.filter((entry) => entry.attempts < this.options.maxAttempts));
    if (this.queue.length === 0) return;
    this.consecutiveFailures += 1;
    const delay = retryDelayMs(
      this.options.backoff,
      this.consecutiveFailures,
      retryAfterMs,
      this.options.random,
    );
    if (this.backoffTimer !== undefined) this.options.clock.clearTimeout(this.backoffTimer);
    this.clearInterval();
    this.backoffTimer = this.options.clock.setTimeout(() => {
      this.backoffTimer = undefined;
      this.draining = true;
      this.pump();
    }, delay);
  }

  /** Back to the front of the queue, in their original order, unless settled meanwhile (close deadline). */
  private requeue(batch: readonly Pending[]): void {
    this.queue.unshift(...batch.filter((entry) => this.held.get(entry.id) === entry));
  }

  /** Reports the events named in `rejected` (and, when the whole batch was refused, every other one). */
  private refuse(
    batch: readonly Pending[],
    live: ReadonlySet<Pending>,
    rejected: readonly Rejection[],
    wholeBatchReason: string | undefined,
  ): void {
    const byIndex = new Map(rejected.map((r) => [r.index, r.problems]));
    const refused: RefusedEvent[] = [];
    batch.forEach((entry, index) => {
      if (!live.has(entry)) return;
      const problems = byIndex.get(index);
      if (problems !== undefined) refused.push({ event: parse(entry), problems });
      else if (wholeBatchReason !== undefined) {
        refused.push({ event: parse(entry), problems: [{ field: '/', reason: wholeBatchReason }] });
      }
    });
    if (refused.length > 0) this.callback(() => this.options.onRefused(refused));
  }

  private fail(
    kind: FailureKind,
    message: string,
    events: readonly ClickstreamEvent[],
    status?: number,
  ): void {
    const failure: DeliveryFailure = { kind, message, events, ...(status === undefined ? {} : { status }) };
    this.callback(() => this.options.onError(failure));
  }

  /** The caller's callback must not break delivery; its exception surfaces as an uncaught one. */
  private callback(call: () => void): void {
    try {
      call();
    } catch (error) {
      queueMicrotask(() => {
        throw error;
      });
    }
  }

  /** The events leave the tracker (delivered, refused or failed): release their ids and wake flushers. */
  private settle(entries: readonly Pending[]): void {
    for (const entry of entries) {
      if (this.held.get(entry.id) === entry) this.held.delete(entry.id);
    }
    for (let i = this.waiters.length - 1; i >= 0; i -= 1) {
      const waiter = this.waiters[i];
      if (waiter !== undefined && waiter.ids.every((id) => !this.held.has(id))) {
        this.waiters.splice(i, 1);
        waiter.resolve();
      }
    }
    if (this.waiters.length === 0 && this.releaseHold !== undefined) {
      this.releaseHold();
      this.releaseHold = undefined;
    }
  }
}

function body(batch: readonly Pending[]): string {
  return `[${batch.map((entry) => entry.json).join(',')}]`;
}

function parse(entry: Pending): ClickstreamEvent {
  return JSON.parse(entry.json) as ClickstreamEvent;
}

function beacon(sendBeacon: (url: string, body: string) => boolean, url: string, payload: string): boolean {
  try {
    return sendBeacon(url, payload);
  } catch {
    // Some browsers refuse a JSON beacon to another origin (it needs a CORS preflight): use fetch.
    return false;
  }
}

/** UTF-8 byte length without allocating an encoded copy. */
function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      bytes += 4; // surrogate pair: one 4-byte code point
      i += 1;
    } else bytes += 3;
  }
  return bytes;
}
