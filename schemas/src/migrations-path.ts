import { fileURLToPath } from 'node:url';

/** Folder of the numbered ClickHouse migrations (`NNNN_name.sql`), applied in order by the runner. */
export const CLICKHOUSE_MIGRATIONS_DIR = fileURLToPath(new URL('../migrations/clickhouse', import.meta.url));
