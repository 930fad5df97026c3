export { createTracker, type Tracker, type TrackResult } from './tracker.js';
export type { TrackerOptions, RefusedEvent, DeliveryFailure, FailureKind } from './options.js';
export type { ClickstreamEvent, EventOf, EventType, FieldsOf, Identity, TrackInput } from './event-input.js';
export type { FieldProblem } from './collector-response.js';
export {
  createFetchTransport,
  type FetchLike,
  type FetchTransportOptions,
  type Transport,
  type TransportRequest,
  type TransportResponse,
} from './transport.js';
export { systemClock, type Clock, type TimerHandle } from './clock.js';
export { detectPageEnvironment, BEACON_MAX_BYTES, type PageEnvironment } from './page-lifecycle.js';
export { createIdGenerator } from './event-id.js';
export type { BackoffPolicy } from './backoff.js';
