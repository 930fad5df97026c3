export {
  createClickHouse,
  type ClickHouse,
  type ClickHouseOptions,
  type ExternalTable,
  type InsertOptions,
  type QuerySettings,
} from './client.js';
export { createRowDeduplicator, type DeduplicatorOptions, type RowDeduplicator } from './dedup.js';
export { classifyClickHouseError } from './errors.js';
export { sql, ident, literal, quoteString, formatDateTime, fragment, type SqlValue } from './sql.js';
export {
  createBatchWriter,
  RefusedRowsError,
  type BatchWriter,
  type BatchWriterOptions,
} from './batch-writer.js';
export {
  runMigrations,
  readMigrations,
  splitStatements,
  type Migration,
  type MigrationReport,
} from './migrations.js';
