/** The sink role's building blocks, for the process (`../index.ts`) and for integration tests. */
export { createSinkHandler, type SinkTopics } from './sink.handler.js';
export { createSinkWriters, type SinkWriters } from './sink.writers.js';
export { toEventRow } from '../writers/event-row.js';
export { toItemRow } from '../writers/item-row.js';
export { EVENT_COLUMNS, FAILED_EVENT_COLUMNS, ITEM_COLUMNS, fitRow } from '../writers/table-columns.js';
