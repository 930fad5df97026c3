/**
 * The one escaping helper. ClickHouse 18.16 has no server-side parameters, so these tests are what
 * stands between a hostile value and the statement text. The reference unescaper below follows
 * ClickHouse's rules for quoted string literals (readQuotedString / parseComplexEscapeSequence):
 * `\b \f \n \r \t \0 \a \v`, `\xHH` (one byte), `\c` for any other c is c itself, and `''` inside
 * the quotes is one quote. It works on UTF-8 bytes, as the server does.
 */
import t from 'tap';
import { formatDateTime, fragment, ident, literal, quoteString, sql, type SqlValue } from './sql.js';

const SIMPLE_ESCAPES: Record<string, number> = {
  b: 0x08,
  f: 0x0c,
  n: 0x0a,
  r: 0x0d,
  t: 0x09,
  '0': 0x00,
  a: 0x07,
  v: 0x0b,
};

/**
 * Reads one string literal from the start of `text` the way ClickHouse does and returns its value
 * and how many characters of `text` the literal used. Throws on anything the server would reject.
 */
function readClickHouseString(text: string): { value: string; consumed: number } {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes[0] !== 0x27) throw new Error('a string literal starts with a single quote');
  const out: number[] = [];
  let i = 1;
  for (;;) {
    const byte = bytes[i];
    if (byte === undefined) throw new Error('unterminated string literal');
    if (byte === 0x27) {
      if (bytes[i + 1] === 0x27) {
        out.push(0x27);
        i += 2;
        continue;
      }
      i += 1;
      break;
    }
    if (byte === 0x5c) {
      const next = bytes[i + 1];
      if (next === undefined) throw new Error('backslash at the end of the input');
      const ch = String.fromCharCode(next);
      if (ch === 'x') {
        const hex = bytes.subarray(i + 2, i + 4).toString('latin1');
        if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new Error(`bad \\x escape: ${hex}`);
        out.push(parseInt(hex, 16));
        i += 4;
      } else {
        out.push(SIMPLE_ESCAPES[ch] ?? next);
        i += 2;
      }
      continue;
    }
    out.push(byte);
    i += 1;
  }
  const consumed = Buffer.from(bytes.subarray(0, i)).toString('utf8').length;
  return { value: Buffer.from(out).toString('utf8'), consumed };
}

/** The value of a rendered literal; fails when the literal ends before the rendered text does. */
function unescapeWhole(rendered: string): string {
  const { value, consumed } = readClickHouseString(rendered);
  if (consumed !== rendered.length) {
    throw new Error(`literal ended early, leaving ${JSON.stringify(rendered.slice(consumed))} as SQL`);
  }
  return value;
}

/** A literal must never leave a raw control byte or line break in the statement. */
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\x00-\x1f\x7f]/;

t.test('the reference unescaper catches what it is meant to catch', (t) => {
  t.equal(unescapeWhole(String.raw`'a\'b\\c\n\x41'`), "a'b\\c\nA", 'decodes escapes');
  t.equal(unescapeWhole("'it''s'"), "it's", 'a doubled quote is one quote');
  t.throws(() => unescapeWhole("'x' OR 1=1 --'"), /ended early/, 'a naive quote would leave SQL behind');
  t.throws(() => unescapeWhole("'abc\\'"), /unterminated/, 'an escaped final quote leaves the literal open');
  t.end();
});

t.test('quotes and backslashes cannot end the literal early', (t) => {
  const hostile = [
    "' OR 1=1 --",
    "x'); DROP TABLE events; --",
    "'",
    "''",
    '\\',
    "\\'",
    "\\\\'",
    "'\\''",
    '\\x27',
    '\\n',
    '`backtick` "double"',
    '${not_a_template}',
    '/* comment */',
  ];
  for (const value of hostile) {
    const rendered = quoteString(value);
    t.equal(unescapeWhole(rendered), value, `${JSON.stringify(value)} round-trips as ${rendered}`);
  }
  t.equal(quoteString("' OR 1=1 --"), String.raw`'\' OR 1=1 --'`, 'a quote is backslash-escaped');
  t.equal(quoteString('\\'), String.raw`'\\'`, 'a backslash is doubled');
  t.equal(
    quoteString("\\'"),
    String.raw`'\\\''`,
    'backslash then quote: both escaped, the quote stays inside',
  );
  t.end();
});

t.test('NUL, control bytes and line breaks are escaped, never sent raw', (t) => {
  const cases: [string, string][] = [
    ['\0', '\\0'],
    ['\n', '\\n'],
    ['\r', '\\r'],
    ['\t', '\\t'],
    ['\b', '\\b'],
    ['\f', '\\f'],
    ['\x01', '\\x01'],
    ['\x07', '\\x07'],
    ['\x0b', '\\x0b'],
    ['\x1b', '\\x1b'],
    ['\x1f', '\\x1f'],
    ['\x7f', '\\x7f'],
  ];
  for (const [value, escaped] of cases) {
    t.equal(quoteString(value), `'${escaped}'`, `${JSON.stringify(value)} becomes ${escaped}`);
  }
  let everyControl = '';
  for (let code = 0; code < 0x20; code += 1) everyControl += String.fromCharCode(code);
  everyControl += '\x7f';
  const rendered = quoteString(`a${everyControl}b`);
  t.notMatch(rendered, RAW_CONTROL, 'no raw control byte in the statement');
  t.equal(unescapeWhole(rendered), `a${everyControl}b`, 'and every one of them comes back');
  t.equal(
    unescapeWhole(quoteString("x\n'; DROP TABLE t; --")),
    "x\n'; DROP TABLE t; --",
    'newline + quote payload stays data',
  );
  t.end();
});

t.test('unicode passes through unchanged', (t) => {
  const values: [string, string][] = [
    ['accents', 'ünïcödé'],
    ['CJK', '日本語の商品'],
    ['emoji with joiners', 'emoji 🛒👩‍👩‍👧'],
    ['no-break space', '\u00a0x'],
    ['line separator U+2028', '\u2028x'],
    ['modifier apostrophe U+02BC', 'ʼ'],
    ['fullwidth apostrophe U+FF07', '＇'],
  ];
  for (const [label, value] of values) {
    const rendered = quoteString(value);
    t.equal(rendered, `'${value}'`, `${label}: needs no escaping`);
    t.equal(unescapeWhole(rendered), value, `${label}: reads back the same`);
  }
  t.end();
});

t.test('very long strings are escaped completely', (t) => {
  const unit = "ab'\\\n";
  const value = unit.repeat(200_000);
  const rendered = quoteString(value);
  t.equal(rendered.length, 2 + 200_000 * (1 + 1 + 2 + 2 + 2), 'every quote, backslash and newline escaped');
  t.equal(unescapeWhole(rendered), value, '1 MB of hostile text round-trips');
  t.end();
});

t.test('random strings round-trip through the ClickHouse unescaper', (t) => {
  // Seeded so a failure can be reproduced; mixes the dangerous characters with arbitrary code points.
  let state = 0x2545f491;
  const random = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  const dangerous = [
    "'",
    '\\',
    '\0',
    '\n',
    '\r',
    '\t',
    '\b',
    '\f',
    '\x1a',
    '\x7f',
    '-',
    ';',
    '/',
    '*',
    'x',
    '0',
    '`',
    '"',
  ];
  const randomChar = () => {
    const pick = random();
    if (pick < 0.5) return dangerous[Math.floor(random() * dangerous.length)] ?? "'";
    if (pick < 0.7) return String.fromCharCode(Math.floor(random() * 0x80));
    if (pick < 0.9) return String.fromCharCode(0x80 + Math.floor(random() * (0xd800 - 0x80)));
    return String.fromCodePoint(0x10000 + Math.floor(random() * 0xfffff));
  };
  let failures = 0;
  for (let n = 0; n < 5000; n += 1) {
    let value = '';
    const length = Math.floor(random() * 40);
    for (let i = 0; i < length; i += 1) value += randomChar();
    const rendered = quoteString(value);
    let back: string | undefined;
    try {
      back = unescapeWhole(rendered);
    } catch {
      back = undefined;
    }
    if (back !== value || RAW_CONTROL.test(rendered)) {
      failures += 1;
      if (failures <= 3) t.fail(`${JSON.stringify(value)} rendered as ${JSON.stringify(rendered)}`);
    }
  }
  t.equal(failures, 0, '5000 random strings all round-trip with no raw control byte');
  t.end();
});

t.test('identifiers are refused unless they match [A-Za-z_][A-Za-z0-9_]*', (t) => {
  for (const name of ['events', '_tmp', 'Events_2026', 'a', 'select']) {
    t.equal(
      sql`SELECT * FROM ${ident(name)}`,
      `SELECT * FROM \`${name}\``,
      `${name} is accepted and backquoted`,
    );
  }
  for (const name of [
    'a;DROP',
    'a`b',
    '1abc',
    '',
    'a b',
    'a-b',
    'a.b',
    "a'b",
    'a"b',
    'é',
    'a\n',
    'a\0',
    ' a',
  ]) {
    t.throws(() => ident(name), TypeError, `${JSON.stringify(name)} is refused`);
  }
  t.end();
});

t.test('numbers, bigints, booleans and null', (t) => {
  t.equal(literal(42), '42');
  t.equal(literal(1.5), '1.5');
  t.equal(literal(0), '0');
  t.equal(literal(-2.5), ' -2.5', 'negative numbers get a leading space (see below)');
  t.equal(literal(12345678901234567890n), '12345678901234567890', 'bigint keeps every digit');
  t.equal(literal(true), '1');
  t.equal(literal(false), '0');
  t.equal(literal(null), 'NULL');
  for (const bad of [NaN, Infinity, -Infinity]) {
    t.throws(() => literal(bad), TypeError, `${bad} is refused`);
    t.throws(() => sql`SELECT ${bad}`, TypeError, `${bad} is refused inside sql too`);
  }
  t.throws(() => literal(undefined as unknown as SqlValue), TypeError, 'undefined is refused');
  t.throws(
    () => literal({ toString: () => "'; DROP" } as unknown as SqlValue),
    TypeError,
    'objects are refused, not stringified',
  );
  t.end();
});

t.test('a negative number after a minus sign does not start a comment', (t) => {
  // `now()-${x}` with x = -1 must not render `now()--1 …`, which would comment out the rest of the line.
  const rendered = sql`SELECT count() FROM events WHERE event_time > now()-${-3600} AND source = ${'shop'}`;
  t.notMatch(rendered, /--/, 'no comment marker appears');
  t.match(rendered, /source = 'shop'$/, 'the condition after the value is still there');
  const big = sql`SELECT 1-${-5n} AS x`;
  t.notMatch(big, /--/, 'same for bigints');
  t.end();
});

t.test('dates render as UTC `YYYY-MM-DD hh:mm:ss` literals', (t) => {
  const date = new Date('2026-03-04T05:06:07.890Z');
  t.equal(formatDateTime(date), '2026-03-04 05:06:07', 'milliseconds dropped, no T, no Z');
  t.equal(literal(date), "'2026-03-04 05:06:07'", 'quoted as a string literal');
  t.equal(formatDateTime(new Date('2026-03-04T23:30:00-05:00')), '2026-03-05 04:30:00', 'converted to UTC');
  t.equal(formatDateTime(new Date(0)), '1970-01-01 00:00:00');
  t.throws(() => literal(new Date('not a date')), TypeError, 'an invalid Date is refused');
  t.end();
});

t.test('arrays render element by element, each escaped', (t) => {
  t.equal(literal([]), '[]');
  t.equal(literal([1, 2, 3]), '[1, 2, 3]');
  t.equal(literal(['a', "b'c", null]), String.raw`['a', 'b\'c', NULL]`);
  t.equal(literal([[1], [2, 3]]), '[[1], [2, 3]]', 'nested arrays');
  t.equal(literal([new Date('2026-01-01T00:00:00Z')]), "['2026-01-01 00:00:00']");
  t.throws(() => literal([1, NaN]), TypeError, 'a bad element refuses the whole array');
  const rendered = sql`SELECT * FROM t WHERE id IN ${["x') OR ('1'='1", 'y']}`;
  t.equal(rendered, String.raw`SELECT * FROM t WHERE id IN ['x\') OR (\'1\'=\'1', 'y']`);
  t.end();
});

t.test('sql interpolates every value as a literal', (t) => {
  t.equal(sql`SELECT 1`, 'SELECT 1', 'no values');
  t.equal(
    sql`SELECT * FROM ${ident('events')} WHERE event_id = ${"e1' OR '1'='1"} AND n > ${3} LIMIT ${10}`,
    "SELECT * FROM `events` WHERE event_id = 'e1\\' OR \\'1\\'=\\'1' AND n > 3 LIMIT 10",
  );
  t.equal(sql`${'a'}${'b'}`, "'a''b'", 'values at both ends');
  t.end();
});

t.test('fragment embeds built SQL unescaped; plain strings never are', (t) => {
  const condition = sql`type = ${"view'"}`;
  t.equal(
    sql`SELECT count() FROM events WHERE ${fragment(condition)}`,
    String.raw`SELECT count() FROM events WHERE type = 'view\''`,
  );
  t.equal(
    sql`SELECT count() FROM events WHERE ${condition}`,
    String.raw`SELECT count() FROM events WHERE 'type = \'view\\\'\''`,
    'the same text passed as a string is only a string literal',
  );
  const nested = sql`SELECT ${fragment(sql`multiIf(${fragment(condition)}, ${1}, ${0})`)} AS w`;
  t.equal(nested, String.raw`SELECT multiIf(type = 'view\'', 1, 0) AS w`, 'fragments nest');
  t.end();
});
