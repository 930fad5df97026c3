export * from './events/event.schema.js';
export * from './items/item.schema.js';
export * from './topics.js';
export * from './validation.js';
export { CLICKHOUSE_MIGRATIONS_DIR } from './migrations-path.js';
export * from './api/recommendations.js';
export * from './api/admin.js';
export * from './api/search.js';
