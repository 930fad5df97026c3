/**
 * A thin wrapper over @clickhouse/client that classifies failures and offers the few operations
 * the product needs: run a statement, query rows as JSON, insert JSON rows.
 */
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { classifyClickHouseError } from './errors.js';

export interface ClickHouseOptions {
  readonly url: string;
  readonly username: string;
  readonly password: string;
  /** Database the statements run in; `null` for server-level statements (CREATE DATABASE). */
  readonly database: string | null;
  readonly requestTimeoutMs?: number;
}

export type QuerySettings = Readonly<Record<string, string | number>>;

export interface ClickHouse {
  readonly database: string | null;
  /** Runs a statement that returns no rows (DDL, INSERT … SELECT, ALTER). */
  command(statement: string): Promise<void>;
  /**
   * Runs a SELECT and returns its rows. Build `query` with `sql` so values are escaped. `settings`
   * are per-query server settings; 18.16 rejects names it does not know, so pass only what it has.
   */
  query<Row>(query: string, settings?: QuerySettings): Promise<Row[]>;
  /** Inserts rows as JSONEachRow. */
  insert(table: string, rows: readonly object[]): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
  /** The underlying driver, for streaming reads the wrapper does not cover. */
  readonly driver: ClickHouseClient;
}

export function createClickHouse(options: ClickHouseOptions): ClickHouse {
  const driver = createClient({
    url: options.url,
    username: options.username,
    password: options.password,
    ...(options.database === null ? {} : { database: options.database }),
    request_timeout: options.requestTimeoutMs ?? 30_000,
    // 18.16 rejects settings it does not know, so send none beyond what the driver must.
    compression: { request: false, response: false },
  });

  async function guarded<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw classifyClickHouseError(error, operation);
    }
  }

  return {
    database: options.database,
    driver,
    command: (statement) => guarded('command', async () => void (await driver.command({ query: statement }))),
    query: <Row>(query: string, settings?: QuerySettings) =>
      guarded('query', async () => {
        const result = await driver.query({
          query,
          format: 'JSONEachRow',
          ...(settings === undefined ? {} : { clickhouse_settings: settings }),
        });
        return result.json<Row>();
      }),
    insert: (table, rows) =>
      guarded('insert', async () => {
        if (rows.length === 0) return;
        await driver.insert({ table, values: [...rows], format: 'JSONEachRow' });
      }),
    ping: () =>
      guarded('ping', async () => {
        const result = await driver.ping();
        if (!result.success) throw result.error;
      }),
    close: () => driver.close(),
  };
}
