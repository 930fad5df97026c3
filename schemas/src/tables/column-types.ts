/**
 * ClickHouse column types as the tables declare them (schemas/migrations/clickhouse), and the
 * JavaScript value each one takes in a JSONEachRow row. Row types are derived from a table's
 * column list, so a column added to the list is a field of the row, with its type.
 */

export type ScalarColumnType =
  'String' | 'Int32' | 'Int64' | 'UInt8' | 'UInt16' | 'UInt32' | 'UInt64' | 'Float64' | 'DateTime' | 'Date';
export type ColumnType = ScalarColumnType | `Array(${ScalarColumnType})`;
export type TableColumns = Readonly<Record<string, ColumnType>>;

/**
 * Times travel as text (`YYYY-MM-DD hh:mm:ss`, `YYYY-MM-DD`); 64-bit integers as text too when they
 * may not fit a double (ClickHouse quotes them in its JSON output, and an offset must keep every
 * digit), or as a safe integer.
 */
type ScalarValue<T extends ScalarColumnType> = T extends 'String' | 'DateTime' | 'Date'
  ? string
  : T extends 'Int64' | 'UInt64'
    ? string | number
    : number;

export type ColumnValue<T extends ColumnType> = T extends `Array(${infer Inner extends ScalarColumnType})`
  ? ScalarValue<Inner>[]
  : T extends ScalarColumnType
    ? ScalarValue<T>
    : never;

/** A full row of a table with these columns. */
export type RowOf<Columns extends TableColumns> = {
  -readonly [Name in keyof Columns]: ColumnValue<Columns[Name]>;
};

/** The range 18.16 stores `DateTime` and `Date` values in without changing them. */
export const DATE_TIME_MIN = '1970-01-01 00:00:00';
export const DATE_TIME_MAX = '2105-12-31 23:59:59';
