/**
 * `fitRow`, which checks a row against its table's column types (`EVENT_COLUMNS`, `ITEM_COLUMNS`,
 * `FAILED_EVENT_COLUMNS` in @recstream/schemas) before it joins an insert.
 *
 * Kafka has no authentication, so records can reach the sink without the collector's checks, and
 * ClickHouse 18.16 reads JSONEachRow loosely: a number written as `1e+21`, a negative UInt64, a
 * non-string where a String belongs or a lone UTF-16 surrogate makes it refuse the whole insert
 * (every shopper's rows with it), while an Int32 past its range, a DateTime past 2106 or before 1970
 * and the smallest subnormal float are silently stored as other values. A row that cannot be
 * stored as it is is therefore parked alone, with the column and the reason; a lone surrogate is
 * replaced by U+FFFD (as the SQL path does), so an accepted event is not lost for it.
 */
import {
  DATE_TIME_MAX,
  DATE_TIME_MIN,
  type ColumnType,
  type ScalarColumnType,
  type TableColumns,
} from '@recstream/schemas';

// The sink and its tests take the column lists from here, beside the check that uses them.
export {
  EVENT_COLUMNS,
  FAILED_EVENT_COLUMNS,
  ITEM_COLUMNS,
  type ColumnType,
  type ScalarColumnType,
  type TableColumns,
} from '@recstream/schemas';

const INTEGER_RANGES: Readonly<Record<string, readonly [bigint, bigint]>> = {
  Int32: [-(2n ** 31n), 2n ** 31n - 1n],
  Int64: [-(2n ** 63n), 2n ** 63n - 1n],
  UInt8: [0n, 255n],
  UInt16: [0n, 65535n],
  UInt32: [0n, 2n ** 32n - 1n],
  UInt64: [0n, 2n ** 64n - 1n],
};

/** Below this magnitude a Float64 is worth nothing as a price and 18.16 may read it as nan. */
const SMALLEST_FLOAT = 1e-300;

/** ES2024 string methods, native in Node 20 (the TypeScript lib here is ES2023). */
interface WellFormed {
  isWellFormed(): boolean;
  toWellFormed(): string;
}

type Fitted = { readonly value: unknown } | { readonly problem: string };

function describe(value: unknown): string {
  const text = typeof value === 'number' ? String(value) : String(JSON.stringify(value));
  return text.length > 64 ? `${text.slice(0, 61)}...` : text;
}

const NUMBER_RANGES: Readonly<Record<string, readonly [number, number]>> = Object.fromEntries(
  Object.entries(INTEGER_RANGES).map(([type, [min, max]]) => [type, [Number(min), Number(max)]]),
);

function fitInteger(value: unknown, type: ScalarColumnType): Fitted {
  const range = INTEGER_RANGES[type];
  const numbers = NUMBER_RANGES[type];
  if (range === undefined || numbers === undefined) throw new TypeError(`not an integer type: ${type}`);
  if (typeof value === 'number') {
    // A safe integer is exact, so comparing it with the rounded bounds of a 64-bit type is exact too.
    if (Number.isSafeInteger(value) && value >= numbers[0] && value <= numbers[1]) return { value };
  } else if (typeof value === 'string' && /^-?\d{1,20}$/.test(value)) {
    // JSONEachRow carries 64-bit integers as strings of digits, so they keep every digit.
    const integer = BigInt(value);
    if (integer >= range[0] && integer <= range[1]) return { value };
  }
  return { problem: `${describe(value)} does not fit ${type}` };
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The number written by the digits of `text` from `start` to `end`, or -1 (no allocation). */
function digits(text: string, start: number, end: number): number {
  let number = 0;
  for (let index = start; index < end; index += 1) {
    const digit = text.charCodeAt(index) - 48;
    if (digit < 0 || digit > 9) return -1;
    number = number * 10 + digit;
  }
  return number;
}

/**
 * Whether `text` is `YYYY-MM-DD` (Date) or `YYYY-MM-DD hh:mm:ss` (DateTime) naming a real day and
 * time (2026-02-30 and 24:00:00 are not). Parsed by hand: it runs for three columns of every row.
 */
function isRealTime(text: string, type: 'DateTime' | 'Date'): boolean {
  if (text.length !== (type === 'Date' ? 10 : 19) || text[4] !== '-' || text[7] !== '-') return false;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 7);
  const day = digits(text, 8, 10);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 && !leap ? 28 : (DAYS_IN_MONTH[month - 1] ?? 0);
  if (year < 0 || day < 1 || day > days) return false;
  if (type === 'Date') return true;
  if (text[10] !== ' ' || text[13] !== ':' || text[16] !== ':') return false;
  const hour = digits(text, 11, 13);
  const minute = digits(text, 14, 16);
  const second = digits(text, 17, 19);
  return hour >= 0 && hour < 24 && minute >= 0 && minute < 60 && second >= 0 && second < 60;
}

function fitTime(value: unknown, type: 'DateTime' | 'Date'): Fitted {
  const text = typeof value === 'string' ? value : '';
  if (!isRealTime(text, type)) return { problem: `${describe(value)} is not a ${type}` };
  // Fixed-width text compares as time does.
  if (text < DATE_TIME_MIN.slice(0, text.length) || text > DATE_TIME_MAX.slice(0, text.length))
    return {
      problem: `${describe(value)} is outside the ${type} range ${DATE_TIME_MIN} to ${DATE_TIME_MAX}`,
    };
  return { value };
}

function fitScalar(value: unknown, type: ScalarColumnType): Fitted {
  switch (type) {
    case 'String':
      if (typeof value !== 'string') return { problem: `${describe(value)} is not a string` };
      return (value as unknown as WellFormed).isWellFormed()
        ? { value }
        : { value: (value as unknown as WellFormed).toWellFormed() };
    case 'Float64':
      if (typeof value !== 'number' || !Number.isFinite(value))
        return { problem: `${describe(value)} is not a finite number` };
      return { value: Math.abs(value) < SMALLEST_FLOAT ? 0 : value };
    case 'DateTime':
    case 'Date':
      return fitTime(value, type);
    case 'Int32':
    case 'Int64':
    case 'UInt8':
    case 'UInt16':
    case 'UInt32':
    case 'UInt64':
      return fitInteger(value, type);
  }
}

function fitValue(value: unknown, type: ColumnType): Fitted {
  if (!type.startsWith('Array(')) return fitScalar(value, type as ScalarColumnType);
  const inner = type.slice('Array('.length, -1) as ScalarColumnType;
  if (!Array.isArray(value)) return { problem: `${describe(value)} is not an array` };
  let fitted: unknown[] | undefined;
  for (const [index, element] of (value as unknown[]).entries()) {
    const result = fitScalar(element, inner);
    if ('problem' in result) return { problem: `[${index}] ${result.problem}` };
    if (result.value !== element) (fitted ??= [...(value as unknown[])])[index] = result.value;
  }
  return { value: fitted ?? value };
}

/**
 * The row as ClickHouse will store it (lone surrogates replaced, subnormal floats as 0), or every
 * column that cannot hold its value, e.g. `results_count 1e+21 does not fit Int32`.
 */
export function fitRow(
  row: object,
  columns: TableColumns,
): { readonly row: object } | { readonly problem: string } {
  const problems: string[] = [];
  // Copied only when a value had to change: nearly every row is stored as it is.
  let fitted: Record<string, unknown> | undefined;
  for (const column in row) {
    const value = (row as Record<string, unknown>)[column];
    const type = columns[column];
    if (type === undefined) {
      problems.push(`${column} is not a column`);
      continue;
    }
    const result = fitValue(value, type);
    if ('problem' in result) problems.push(`${column} ${result.problem}`);
    else if (result.value !== value) (fitted ??= { ...row })[column] = result.value;
  }
  return problems.length === 0 ? { row: fitted ?? row } : { problem: problems.join('; ') };
}
