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

/** A one-column table sent along with a query (ClickHouse "external data"), readable by `name`. */
export interface ExternalTable {
  readonly name: string;
  readonly column: string;
  readonly values: readonly string[];
}

export interface InsertOptions {
  readonly queryId?: string;
}

export interface ClickHouse {
  readonly database: string | null;
  /** Runs a statement that returns no rows (DDL, INSERT … SELECT, ALTER). */
  command(statement: string): Promise<void>;
  /**
   * Runs a SELECT and returns its rows. Build `query` with `sql` so values are escaped. `settings`
   * are per-query server settings; 18.16 rejects names it does not know, so pass only what it has.
   */
  query<Row>(query: string, settings?: QuerySettings): Promise<Row[]>;
  /**
   * Runs a SELECT that reads `table` as if it were a table on the server. Thousands of values
   * travel as TSV, which the server reads far faster than the same values as SQL literals
   * (parsing a 20,000-literal IN list costs it a few hundred milliseconds).
   */
  queryWithTable<Row>(query: string, table: ExternalTable): Promise<Row[]>;
  /**
   * Runs a SELECT and yields its rows in chunks as they arrive, so a scan of the whole log never
   * holds it in memory. Stopping the iteration early closes the response.
   */
  stream<Row>(query: string): AsyncIterable<Row[]>;
  /**
   * Inserts rows as JSONEachRow. `queryId` names the insert on the server (`system.processes`):
   * an insert the client gave up on keeps running there, and a second insert under the same id is
   * refused while it does (code 216).
   */
  insert(table: string, rows: readonly object[], options?: InsertOptions): Promise<void>;
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
    queryWithTable: <Row>(query: string, table: ExternalTable) =>
      guarded('query', () => queryWithExternalTable<Row>(options, query, table)),
    stream: <Row>(query: string) => streamRows<Row>(driver, query),
    insert: (table, rows, insertOptions) =>
      guarded('insert', async () => {
        if (rows.length === 0) return;
        const queryId = insertOptions?.queryId;
        await driver.insert({
          table,
          values: [...rows],
          format: 'JSONEachRow',
          ...(queryId === undefined ? {} : { query_id: queryId }),
        });
      }),
    // A query, not the unauthenticated /ping: readiness must fail when the credentials do.
    ping: () =>
      guarded('ping', async () => {
        await driver.command({ query: 'SELECT 1' });
      }),
    close: () => driver.close(),
  };
}

async function* streamRows<Row>(driver: ClickHouseClient, query: string): AsyncIterable<Row[]> {
  let result;
  try {
    result = await driver.query({ query, format: 'JSONEachRow' });
  } catch (error) {
    throw classifyClickHouseError(error, 'query');
  }
  try {
    for await (const chunk of result.stream<Row>()) yield chunk.map((row) => row.json());
  } catch (error) {
    throw classifyClickHouseError(error, 'query');
  } finally {
    result.close();
  }
}

const TSV_ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  '\t': '\\t',
  '\n': '\\n',
  '\r': '\\r',
  '\0': '\\0',
};

function tsvField(value: string): string {
  return value.replace(/[\\\t\n\r\0]/g, (ch) => TSV_ESCAPES[ch] ?? ch);
}

/** The HTTP interface's multipart form: the driver has no way to send external data. */
async function queryWithExternalTable<Row>(
  options: ClickHouseOptions,
  query: string,
  table: ExternalTable,
): Promise<Row[]> {
  const url = new URL(options.url);
  url.pathname = '/';
  url.searchParams.set('query', `${query} FORMAT JSONEachRow`);
  if (options.database !== null) url.searchParams.set('database', options.database);
  url.searchParams.set(`${table.name}_structure`, `${table.column} String`);
  const form = new FormData();
  const tsv = table.values.map((value) => `${tsvField(value)}\n`).join('');
  form.set(table.name, new Blob([tsv], { type: 'text/tab-separated-values' }), `${table.name}.tsv`);
  // Credentials in a header, not the URL: URLs end up in proxy and server logs.
  const credentials = Buffer.from(`${options.username}:${options.password}`).toString('base64');
  const response = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Basic ${credentials}` },
    body: form,
    signal: AbortSignal.timeout(options.requestTimeoutMs ?? 30_000),
  });
  const text = await response.text();
  if (!response.ok) {
    const code = /Code: (\d+)/.exec(text)?.[1];
    throw Object.assign(new Error(text.trim().slice(0, 500)), code === undefined ? {} : { code });
  }
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Row);
}
