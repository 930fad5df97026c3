/**
 * `pnpm migrate`: applies the ClickHouse migrations in schemas/migrations/clickhouse to the
 * configured database (REC_CLICKHOUSE_*). Run before services start; safe to run again.
 */
import { createClickHouse, runMigrations } from '@recstream/clickhouse';
import { Type, clickhouseConfig, clickhouseConnection, commonConfig, loadConfig } from '@recstream/config';
import { createLogger } from '@recstream/logger';
import { CLICKHOUSE_MIGRATIONS_DIR } from '@recstream/schemas';

const config = loadConfig(Type.Object({ ...commonConfig, ...clickhouseConfig }), process.env);
const logger = createLogger({ service: 'migrate', level: config.REC_LOG_LEVEL });
const connection = clickhouseConnection(config);
const server = createClickHouse({ ...connection, database: null });
const inDatabase = createClickHouse({ ...connection, database: config.REC_CLICKHOUSE_DATABASE });
try {
  const report = await runMigrations({
    server,
    inDatabase,
    database: config.REC_CLICKHOUSE_DATABASE,
    dir: CLICKHOUSE_MIGRATIONS_DIR,
    logger,
  });
  logger.info({ database: config.REC_CLICKHOUSE_DATABASE, ...report }, 'migrations done');
} catch (err) {
  logger.error({ err }, 'migrations failed');
  process.exitCode = 1;
} finally {
  await Promise.all([server.close(), inDatabase.close()]);
  logger.flush();
}
