export * from '@recstream/testing';
export { sql } from '@recstream/clickhouse';
