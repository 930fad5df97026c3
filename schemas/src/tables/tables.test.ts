/**
 * The column lists against the migrations that create the tables: every `CREATE TABLE` and
 * `ALTER TABLE … ADD COLUMN` (with its `AFTER`) of schemas/migrations/clickhouse is applied in
 * order, and the resulting columns, types and order must be the lists' own.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { CLICKHOUSE_MIGRATIONS_DIR } from '../migrations-path.js';
import { EVENT_COLUMNS, FAILED_EVENT_COLUMNS, ITEM_COLUMNS, type TableColumns } from './index.js';

type Column = readonly [name: string, type: string];

/** A column definition `name Type ...` (DateTime's zone is not part of the type the lists name). */
function column(definition: string): Column {
  const match = /^\s*(\w+)\s+((?:Array\()?\w+(?:\('UTC'\))?\)?)/.exec(definition);
  if (match === null) throw new Error(`not a column definition: ${definition}`);
  return [match[1] ?? '', (match[2] ?? '').replace("('UTC')", '')];
}

/** Splits on `separator` outside parentheses and quotes. */
function topLevel(text: string, separator = ','): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (c === "'" && text[i - 1] !== '\\') quoted = !quoted;
    else if (!quoted && c === '(') depth += 1;
    else if (!quoted && c === ')') depth -= 1;
    else if (!quoted && depth === 0 && c === separator) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.filter((part) => part.trim() !== '');
}

function migratedTables(): Map<string, Column[]> {
  const tables = new Map<string, Column[]>();
  const files = readdirSync(CLICKHOUSE_MIGRATIONS_DIR)
    .filter((f) => /^\d{4}_.*\.sql$/.test(f))
    .sort();
  for (const file of files) {
    const text = readFileSync(join(CLICKHOUSE_MIGRATIONS_DIR, file), 'utf8').replace(/--[^\n]*/g, '');
    for (const statement of topLevel(text, ';')) {
      const create = /CREATE TABLE IF NOT EXISTS (\w+)\s*\(([\s\S]*)\)\s*ENGINE\s*=\s*\w*MergeTree/.exec(
        statement,
      );
      if (create !== null) tables.set(create[1] ?? '', topLevel(create[2] ?? '').map(column));
      const alter = /ALTER TABLE (\w+)\s+([\s\S]*)/.exec(statement);
      const columns = tables.get(alter?.[1] ?? '');
      if (alter === null || columns === undefined) continue;
      for (const action of topLevel(alter[2] ?? '')) {
        const add = /^\s*ADD COLUMN\s+([\s\S]*?)(?:\s+AFTER\s+(\w+))?\s*$/.exec(action);
        if (add === null) throw new Error(`${file}: an ALTER this test cannot read: ${action.trim()}`);
        const after = columns.findIndex(([name]) => name === add[2]);
        columns.splice(add[2] === undefined ? columns.length : after + 1, 0, column(add[1] ?? ''));
      }
    }
  }
  return tables;
}

t.test('each column list is its migrated table: names, types and order', (t) => {
  const tables = migratedTables();
  const lists: Record<string, TableColumns> = {
    events: EVENT_COLUMNS,
    items: ITEM_COLUMNS,
    failed_events: FAILED_EVENT_COLUMNS,
  };
  for (const [table, columns] of Object.entries(lists)) {
    t.same(tables.get(table), Object.entries(columns), `${table}`);
  }
  t.end();
});
