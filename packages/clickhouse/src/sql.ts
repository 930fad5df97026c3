/**
 * The one way values reach SQL text.
 *
 * ClickHouse 18.16 has no server-side query parameters, so every value is rendered as a literal
 * here, client-side, and nowhere else. `sql` is a tagged template: interpolated values become
 * escaped literals; identifiers must be wrapped in `ident()` and match a strict pattern.
 */

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

class Identifier {
  constructor(readonly name: string) {}
}

class RawSql {
  constructor(readonly text: string) {}
}

/** A table, column or database name; anything but `[A-Za-z_][A-Za-z0-9_]*` is refused. */
export function ident(name: string): Identifier {
  if (!IDENTIFIER.test(name)) throw new TypeError(`invalid SQL identifier: ${JSON.stringify(name)}`);
  return new Identifier(name);
}

export type SqlValue =
  string | number | bigint | boolean | Date | null | Identifier | RawSql | readonly SqlValue[];

const STRING_ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  "'": "\\'",
  '\0': '\\0',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

/** A ClickHouse string literal; backslash escapes cover quotes, backslashes and control bytes. */
export function quoteString(value: string): string {
  // eslint-disable-next-line no-control-regex
  return `'${value.replace(/[\\'\0\b\f\n\r\t\x01-\x07\x0b\x0e-\x1f\x7f]/g, (ch) => {
    return STRING_ESCAPES[ch] ?? `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`;
  })}'`;
}

/** `YYYY-MM-DD hh:mm:ss` in UTC: the text form 18.16 parses for DateTime('UTC'). */
export function formatDateTime(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new TypeError('invalid Date');
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

export function literal(value: SqlValue): string {
  if (value instanceof Identifier) return `\`${value.name}\``;
  if (value instanceof RawSql) return value.text;
  if (value === null) return 'NULL';
  if (typeof value === 'string') return quoteString(value);
  if (typeof value === 'boolean') return value ? '1' : '0';
  // A leading space keeps a negative number from forming `--` (a comment) after a minus in the template.
  if (typeof value === 'bigint') return value < 0n ? ` ${value}` : value.toString();
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`cannot render non-finite number ${value} in SQL`);
    return value < 0 ? ` ${value}` : String(value);
  }
  if (value instanceof Date) return quoteString(formatDateTime(value));
  if (Array.isArray(value)) return `[${(value as readonly SqlValue[]).map((v) => literal(v)).join(', ')}]`;
  throw new TypeError(`unsupported SQL value of type ${typeof value}`);
}

/** Tagged template: `sql\`SELECT * FROM ${ident(t)} WHERE id = ${id}\`` with every value escaped. */
export function sql(strings: TemplateStringsArray, ...values: SqlValue[]): string {
  let text = strings[0] ?? '';
  values.forEach((value, index) => {
    text += literal(value) + (strings[index + 1] ?? '');
  });
  return text;
}

/** Embeds an already-built SQL fragment (the output of `sql`) into another `sql` template. */
export function fragment(text: string): RawSql {
  return new RawSql(text);
}
