/** Impression logging: each answer as an impression event on the events topic, off the request path. */
export {
  IMPRESSION_LISTS,
  IMPRESSION_MAX_ITEMS,
  IMPRESSION_SOURCE,
  impressionEvent,
  type Impression,
  type ImpressionList,
} from './impression-event.js';
export {
  createImpressionLog,
  type ImpressionLog,
  type ImpressionOutcome,
  type ImpressionProducer,
} from './impression-log.js';
