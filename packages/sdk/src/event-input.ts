/**
 * What callers pass to the tracker, derived from the event contract in `@recstream/schemas` so the
 * SDK can never drift from what the collector validates. Type-only imports: a browser bundle of the
 * SDK must not pull the validators (Ajv) that live beside the contract.
 */
import type { ClickstreamEvent, EventType } from '@recstream/schemas';

export type { ClickstreamEvent, EventType };

/** The contract of one event type, e.g. `EventOf<'purchase'>`. */
export type EventOf<T extends EventType> = Extract<ClickstreamEvent, { type: T }>;

/** Fields the tracker fills when the caller leaves them out. */
type Filled = 'event_id' | 'timestamp';

/**
 * An event as `track()` takes it: the contract with `event_id` and `timestamp` optional. Pass your
 * own `event_id` only when you replay from a store of your own and need the collector to dedup.
 * (Distributes over the union so each event type keeps its own required fields.)
 */
export type TrackInput = WithFilledOptional<ClickstreamEvent>;
type WithFilledOptional<E> = E extends ClickstreamEvent ? Omit<E, Filled> & Partial<Pick<E, Filled>> : never;

/** Fields of one event type as the convenience helpers take them (the type is implied by the helper). */
export type FieldsOf<T extends EventType> = Omit<EventOf<T>, Filled | 'type'> &
  Partial<Pick<EventOf<T>, Filled>>;

/** Shopper identity merged into every event that does not carry its own (`identify()`). */
export interface Identity {
  readonly user_id?: string;
  readonly anonymous_id?: string;
  readonly session_id?: string;
}
