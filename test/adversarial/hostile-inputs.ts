/**
 * fast-check arbitraries of what a hostile or faulty client sends: to the collector's intake routes
 * (POST /v1/events as one event, a JSON array or NDJSON; the catalog routes) and to serving's read
 * routes. An input is a small recipe (see `Input`); `materialize.ts` turns it into bytes, so a
 * 5 MiB body or a gzip bomb costs little until it is sent, and a failing input prints in a few lines.
 *
 * Valid records from the contract are mixed in (about half the records), each with its own id
 * assigned at materialization, so that acceptance is exercised and every accepted record can be
 * looked for in ClickHouse.
 */
import fc from 'fast-check';
import {
  AssignmentQuery,
  EVENT_TYPES,
  SuggestQuery,
  batchBody,
  complementsBody,
  recommendationsQuery,
  searchQuery,
  similarQuery,
  type EventType,
} from '@recstream/schemas';
import {
  EVENT_FIELDS,
  ITEM_FIELDS,
  arbitraryOf,
  validEvent,
  validItem,
  type ContractField,
  type SchemaNode,
} from './contract-arbitraries.js';
import { ASSIGNED_ID, Ago, RawJson, cloneJson as clone, defineOwn } from './json-text.js';

/** Which credential a request carries. `valid` is the hostile client's own (working) key. */
export type KeyChoice =
  'valid' | 'browser' | 'none' | 'unknown' | 'revoked' | 'malformed' | 'other-service' | 'twice';

export type Encoding =
  | 'identity'
  | 'gzip'
  | 'gzip-corrupt'
  | 'gzip-truncated'
  | 'gzip-double'
  | 'gzip-trailing'
  | 'gzip-label-only'
  | 'deflate'
  | 'br'
  | 'gzip-upper';

export type Framing = 'single' | 'array' | 'ndjson';

export type Body =
  | { readonly kind: 'none' }
  | {
      readonly kind: 'records';
      readonly framing: Framing;
      readonly records: readonly unknown[];
      /** Cut the text at this fraction of its length (a truncated upload). */
      readonly cutAt?: number;
      readonly lineEnd?: '\n' | '\r\n' | '\n\n';
    }
  /** `count` copies of `template`, each with its own id: batches at and over the count and byte limits. */
  | {
      readonly kind: 'replicated';
      readonly framing: Framing;
      readonly template: unknown;
      readonly count: number;
    }
  /** `count` impressions of one shopper with `ids` pseudo-random ids of `idLength` characters each. */
  | {
      readonly kind: 'wide-impressions';
      readonly count: number;
      readonly ids: number;
      readonly idLength: number;
    }
  | { readonly kind: 'deletion'; readonly ids: readonly unknown[]; readonly extra?: Record<string, unknown> }
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'bytes'; readonly bytes: readonly number[] }
  | {
      readonly kind: 'repeat';
      readonly before: string;
      readonly unit: string;
      readonly times: number;
      readonly after: string;
    }
  | { readonly kind: 'nested'; readonly open: string; readonly close: string; readonly depth: number };

export interface CollectorInput {
  readonly target: 'collector';
  readonly method: string;
  /** Already URL-encoded; `{id}` is replaced by a run-unique item id. */
  readonly path: string;
  readonly key: KeyChoice;
  readonly contentType: string | null;
  readonly encoding: Encoding;
  readonly body: Body;
  readonly headers: Readonly<Record<string, string>>;
  readonly chunked: boolean;
}

export interface ServingInput {
  readonly target: 'serving';
  readonly method: string;
  readonly path: string;
  /** Already URL-encoded, without `?`. */
  readonly query: string;
  readonly key: KeyChoice;
  readonly contentType: string | null;
  readonly body: Body;
}

export type Input = CollectorInput | ServingInput;

// ---------------------------------------------------------------------------------------------
// Hostile values

const EXTREME_NUMBERS = [
  '1e21',
  '1E21',
  '-0',
  '0e0',
  '1e308',
  '1e309', // Infinity once parsed
  '-1e309',
  '2147483647',
  '2147483648',
  '-2147483649',
  '4294967296',
  '9007199254740993',
  '18446744073709551616',
  '123456789012345678901234567890',
  '5e-324',
  '1e-400',
  '0.5',
  '-1',
  '1.0',
];
/** Not JSON at all: the whole document must be refused. */
const NOT_JSON_NUMBERS = ['NaN', 'Infinity', '-Infinity', '+1', '.5', '01', '0x10', '1_000', 'undefined'];

const HOSTILE_STRINGS = [
  '',
  ' ',
  'NaN',
  'Infinity',
  '-0',
  '1e21',
  'null',
  'true',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'a\udfff',
  '\ud83d',
  '\u202eevil',
  '\u200b',
  '\ufeff',
  '\u2028\u2029',
  'e' + '\u0301'.repeat(1000),
  '😀'.repeat(64),
  '\\N',
  '\\',
  '"',
  "'",
  '\t\r\n',
  '../../etc/passwd',
  "'); DROP TABLE events; --",
  '${jndi:ldap://x}',
  '<script>alert(1)</script>',
  '%00%ff',
  '2100-01-01T00:00:00Z',
  '1900-01-01T00:00:00Z',
];

const HOSTILE_TIMESTAMPS = [
  '0000-01-01T00:00:00Z',
  '0001-01-01T00:00:00Z',
  '1900-01-01T00:00:00Z',
  '1969-12-31T23:59:59Z',
  '1970-01-01T00:00:00Z',
  '2038-01-19T03:14:08Z',
  '2100-01-01T00:00:00Z',
  '2106-02-07T06:28:16Z',
  '9999-12-31T23:59:59Z',
  '2016-12-31T23:59:60Z',
  '2024-02-30T00:00:00Z',
  '2024-01-01T00:00:00+14:00',
  '2024-01-01t00:00:00z',
  '2024-01-01T00:00:00',
  '2024-01-01',
  '+275760-09-13T00:00:00Z',
  '2024-01-01T00:00:00.123456789Z',
];

const rawNumber = fc.constantFrom(...EXTREME_NUMBERS).map((text) => new RawJson(text));

const scalarHostile: fc.Arbitrary<unknown> = fc.oneof(
  rawNumber,
  fc.constantFrom(...HOSTILE_STRINGS),
  fc.constantFrom<unknown>(null, true, false, [], {}, [[]], { a: { b: { c: {} } } }, 0, -1),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.jsonValue({ maxDepth: 3 }),
);

function setPath(record: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let target = record;
  for (const name of path.slice(0, -1)) {
    const next = target[name];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) {
      const created: Record<string, unknown> = {};
      defineOwn(target, name, created);
      target = created;
    } else target = next as Record<string, unknown>;
  }
  defineOwn(target, path[path.length - 1] as string, value);
}

function deletePath(record: Record<string, unknown>, path: readonly string[]): void {
  let target: unknown = record;
  for (const name of path.slice(0, -1)) target = (target as Record<string, unknown> | undefined)?.[name];
  if (typeof target === 'object' && target !== null)
    delete (target as Record<string, unknown>)[path.at(-1) ?? ''];
}

const boundaries = new WeakMap<SchemaNode, fc.Arbitrary<unknown>>();

/** Values at and just over a field's limits, and of the wrong type (built once per field). */
function boundaryValues(node: SchemaNode): fc.Arbitrary<unknown> {
  let arbitrary = boundaries.get(node);
  if (arbitrary === undefined) {
    arbitrary = buildBoundaryValues(node);
    boundaries.set(node, arbitrary);
  }
  return arbitrary;
}

function buildBoundaryValues(node: SchemaNode): fc.Arbitrary<unknown> {
  const values: fc.Arbitrary<unknown>[] = [];
  if (node.type === 'string' || node.maxLength !== undefined || node.pattern !== undefined) {
    const max = node.maxLength ?? 512;
    values.push(
      fc
        .constantFrom(max, max + 1, max * 2, 100_000)
        .chain((n) => fc.constantFrom('x', '😀', 'é', '\u0000', ' ').map((unit) => unit.repeat(n))),
    );
    if (node.minLength !== undefined) values.push(fc.constant(''));
    if (node.pattern !== undefined)
      values.push(fc.constantFrom('a b', 'ü', 'a\u0000', 'a,b', 'a\nb', 'a'.repeat(129), '*', 'a%2Fb'));
    if (node.format === 'date-time') values.push(fc.constantFrom(...HOSTILE_TIMESTAMPS));
  }
  if (node.type === 'integer' || node.type === 'number') {
    const raw: string[] = [];
    if (node.minimum !== undefined) raw.push(String(node.minimum - 1), String(node.minimum));
    if (node.maximum !== undefined) raw.push(String(node.maximum), String(node.maximum + 1));
    if (node.type === 'integer') raw.push('0.5', '1e21', '1e3');
    if (raw.length > 0) values.push(fc.constantFrom(...raw).map((text) => new RawJson(text)));
    values.push(fc.constantFrom('1', '0', '1e21', ''));
  }
  if (node.type === 'array') {
    const max = node.maxItems ?? 100;
    values.push(
      fc
        .tuple(fc.constantFrom(max, max + 1, 10_000), arbitraryOf(node.items ?? {}))
        .map(([n, item]) => Array.from({ length: n }, () => item)),
    );
    values.push(fc.constantFrom<unknown>([], [null], ['a'], 'a,b'));
  }
  if (node.enum !== undefined || node.const !== undefined) {
    const legal = node.enum ?? [node.const];
    values.push(fc.constantFrom<unknown>(...legal.map((v) => String(v).toUpperCase()), ' view', 1));
  }
  if (node.type === 'object') values.push(fc.constantFrom<unknown>('{}', [], null));
  values.push(scalarHostile);
  return fc.oneof(...values);
}

/** A valid record with one or two things made hostile. */
function mutated(
  valid: fc.Arbitrary<Record<string, unknown>>,
  fieldsOf: (r: Record<string, unknown>) => ContractField[],
) {
  return valid.chain((record) => {
    const fields = fieldsOf(record);
    const setField = fc.nat({ max: Math.max(fields.length - 1, 0) }).chain((i) => {
      const field = fields[i] as ContractField;
      return boundaryValues(field.node).map((value) => {
        const copy = clone(record);
        setPath(copy, field.path, value);
        return copy;
      });
    });
    const removeField = fc.nat({ max: Math.max(fields.length - 1, 0) }).map((i) => {
      const copy = clone(record);
      deletePath(copy, (fields[i] as ContractField).path);
      return copy;
    });
    const addKey = fc
      .tuple(
        fc.constantFrom('__proto__', 'constructor', 'prototype', 'extra', 'EVENT_ID', 'event_id ', ''),
        scalarHostile,
      )
      .map(([key, value]) => {
        const copy = clone(record);
        defineOwn(copy, key, value);
        return copy;
      });
    const properties = fc
      .oneof(
        fc.constant(Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i]))),
        fc.constant({ big: 'x'.repeat(4097) }),
        fc.constant({ nested: JSON.parse('['.repeat(200) + ']'.repeat(200)) as unknown }),
        fc.dictionary(fc.string({ unit: 'binary', maxLength: 70 }), scalarHostile, { maxKeys: 8 }),
      )
      .map((value) => {
        const copy = clone(record);
        defineOwn(copy, 'properties', value);
        return copy;
      });
    return fc.oneof(
      { arbitrary: setField, weight: 8 },
      { arbitrary: removeField, weight: 2 },
      { arbitrary: addKey, weight: 1 },
      { arbitrary: properties, weight: 1 },
    );
  });
}

const eventFields = (record: Record<string, unknown>) =>
  // Never the id itself: a mutated record keeps its traceable id.
  (EVENT_FIELDS[record['type'] as EventType] ?? []).filter((f) => f.path[0] !== 'event_id');
const itemFields = () => ITEM_FIELDS.filter((f) => f.path[0] !== 'item_id');

const anyEvent = fc.constantFrom(...EVENT_TYPES).chain(validEvent);
const junkRecord: fc.Arbitrary<unknown> = fc.oneof(
  scalarHostile,
  fc.constantFrom<unknown>({}, { type: 'view' }, { event_id: ASSIGNED_ID }, { item_id: ASSIGNED_ID }),
);

/** A record for /v1/events: valid, mutated or junk. */
export const eventRecord: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: anyEvent, weight: 6 },
  { arbitrary: mutated(anyEvent, eventFields), weight: 5 },
  { arbitrary: junkRecord, weight: 1 },
);

/** A record for /v1/items: valid, mutated or junk. */
export const itemRecord: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: validItem, weight: 6 },
  { arbitrary: mutated(validItem, itemFields), weight: 5 },
  { arbitrary: junkRecord, weight: 1 },
);

// ---------------------------------------------------------------------------------------------
// Bodies

const framing = fc.constantFrom<Framing>('single', 'array', 'array', 'ndjson', 'ndjson');

function recordsBody(record: fc.Arbitrary<unknown>): fc.Arbitrary<Body> {
  return fc
    .tuple(
      framing,
      fc.oneof(
        { arbitrary: fc.array(record, { minLength: 1, maxLength: 8 }), weight: 12 },
        {
          arbitrary: fc.array(record, { minLength: 9, maxLength: 60 }),
          weight: 1,
        },
      ),
      fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { freq: 12 }),
      fc.constantFrom<'\n' | '\r\n' | '\n\n'>('\n', '\n', '\r\n', '\n\n'),
    )
    .map(([f, records, cutAt, lineEnd]) => ({
      kind: 'records' as const,
      framing: f,
      records: f === 'single' ? records.slice(0, 1) : records,
      ...(cutAt === null ? {} : { cutAt }),
      lineEnd,
    }));
}

/** A valid view padded to about `bytes` bytes with the contract's longest free-text fields. */
const paddedView = (bytes: number) => {
  const url = 'u'.repeat(Math.min(2048, Math.max(0, bytes - 300)));
  const rest = Math.max(0, bytes - 300 - url.length);
  return {
    event_id: ASSIGNED_ID,
    type: 'view',
    anonymous_id: 'a-big-batch',
    item_id: 'sku-1',
    context: {
      page: { url, referrer: 'r'.repeat(Math.min(2048, rest)), category: 'c'.repeat(256) },
      user_agent: 'Mozilla/5.0 '.padEnd(1024, 'z'),
    },
  };
};

const bigBodies: fc.Arbitrary<Body> = fc.oneof(
  // Batches at and over the count limit (1000).
  fc
    .tuple(
      framing.filter((f) => f !== 'single'),
      fc.constantFrom(999, 1000, 1001, 5000),
      anyEvent,
    )
    .map(([f, count, template]) => ({ kind: 'replicated' as const, framing: f, template, count })),
  // Batches at and over the byte limit (5 MiB): ~5.4 KB valid events, one shopper.
  fc
    .tuple(
      framing.filter((f) => f !== 'single'),
      fc.constantFrom(900, 960, 970, 1000),
    )
    .map(([f, count]) => ({ kind: 'replicated' as const, framing: f, template: paddedView(5400), count })),
  // One shopper's impressions with 500 long random ids each: ~65 KB per event, incompressible.
  fc
    .tuple(fc.constantFrom(1, 5, 16, 20, 40), fc.constantFrom(128, 500), fc.constantFrom(64, 128))
    .map(([count, ids, idLength]) => ({ kind: 'wide-impressions' as const, count, ids, idLength })),
);

const rawBodies: fc.Arbitrary<Body> = fc.oneof(
  fc.json({ maxDepth: 4 }).map((text) => ({ kind: 'text' as const, text })),
  fc.string({ unit: 'binary', maxLength: 200 }).map((text) => ({ kind: 'text' as const, text })),
  fc
    .constantFrom(
      '',
      'null',
      '[]',
      '{}',
      '""',
      '0',
      '[null]',
      '\n\n\n',
      '{"__proto__":{"polluted":true},"type":"view","event_id":"x","user_id":"u","item_id":"i"}',
      '{"constructor":{"prototype":{"polluted":true}}}',
      '[{"type":"view"},',
      '{"type":"view","event_id":"dup","event_id":"dup2","user_id":"u","item_id":"i"}',
      ...NOT_JSON_NUMBERS.map(
        (n) => `{"type":"search","event_id":"n","user_id":"u","query":"q","results_count":${n}}`,
      ),
    )
    .map((text) => ({ kind: 'text' as const, text })),
  fc
    .oneof(
      fc.uint8Array({ maxLength: 64 }).map((a) => [...a]),
      fc.constantFrom(
        [0xff],
        [0xed, 0xa0, 0x80],
        [0xc0, 0x80],
        [0x7b, 0x22, 0xe2, 0x82],
        [0xef, 0xbb, 0xbf, 0x7b, 0x7d],
      ),
    )
    .map((bytes) => ({ kind: 'bytes' as const, bytes })),
  fc
    .tuple(
      fc.constantFrom(100, 10_000, 100_000, 1_000_000),
      fc.constantFrom(['[', ']'], ['{"a":', '}'], ['{"properties":', '}']),
    )
    .map(([depth, [open, close]]) => ({
      kind: 'nested' as const,
      open: open,
      close: close,
      depth,
    })),
);

/** Bodies over the size and count limits once decompressed (the D1 shapes), sent gzipped or not. */
const floodBodies: fc.Arbitrary<Body> = fc.constantFrom<Body>(
  { kind: 'repeat', before: '', unit: '1\n', times: 2_600_000, after: '' },
  { kind: 'repeat', before: '', unit: '{}\n', times: 1001, after: '' },
  { kind: 'repeat', before: '[', unit: '0,', times: 1_000_000, after: '0]' },
  { kind: 'repeat', before: '', unit: ' ', times: 5 * 1024 * 1024 + 1, after: '{}' },
  { kind: 'repeat', before: '{"item_ids":[', unit: '"a",', times: 1_000_000, after: '"a"]}' },
  { kind: 'repeat', before: '"', unit: 'x', times: 6_000_000, after: '"' },
);

const contentType = fc.oneof(
  { arbitrary: fc.constant('application/json'), weight: 20 },
  {
    arbitrary: fc.constantFrom(
      'application/x-ndjson',
      'application/json; charset=utf-8',
      'APPLICATION/JSON',
      'application/json; charset=utf-16le',
      'application/x-ndjson; charset=latin1',
      'text/plain',
      'text/plain;charset=UTF-8',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/octet-stream',
      'application/ndjson',
      'application/jsonx',
      'application/json, application/x-ndjson',
      '',
    ),
    weight: 4,
  },
  { arbitrary: fc.constant(null), weight: 1 },
);

const encoding = fc.oneof(
  { arbitrary: fc.constant<Encoding>('identity'), weight: 16 },
  { arbitrary: fc.constant<Encoding>('gzip'), weight: 6 },
  {
    arbitrary: fc.constantFrom<Encoding>(
      'gzip-corrupt',
      'gzip-truncated',
      'gzip-double',
      'gzip-trailing',
      'gzip-label-only',
      'deflate',
      'br',
      'gzip-upper',
    ),
    weight: 2,
  },
);

const keyChoice = fc.oneof(
  { arbitrary: fc.constant<KeyChoice>('valid'), weight: 24 },
  { arbitrary: fc.constant<KeyChoice>('browser'), weight: 3 },
  {
    arbitrary: fc.constantFrom<KeyChoice>(
      'none',
      'unknown',
      'revoked',
      'malformed',
      'other-service',
      'twice',
    ),
    weight: 3,
  },
);

const odd = <T>(usual: fc.Arbitrary<T>, rare: fc.Arbitrary<T>, rareWeight = 1) =>
  fc.oneof({ arbitrary: usual, weight: 30 }, { arbitrary: rare, weight: rareWeight });

const extraHeaders: fc.Arbitrary<Record<string, string>> = odd(
  fc.constant({}),
  fc.oneof(
    fc.constantFrom(
      { 'user-agent': 'Mozilla/5.0 ' + '(X11; '.repeat(2000) },
      { 'user-agent': 'Mozilla/5.0 (Linux; Android 1' + '.1'.repeat(5000) + ')' },
      { 'user-agent': '' },
      { 'x-forwarded-for': '999.999.999.999, ::ffff:1.2.3.4, junk' },
      { 'x-real-ip': '::1' },
      { expect: '100-continue' },
      { 'x-padding': 'p'.repeat(17_000) },
      { 'content-language': 'xx', 'accept-encoding': 'br;q=1.0, *;q=0' },
    ),
    fc.string({ unit: 'grapheme-ascii', maxLength: 300 }).map((ua) => ({ 'user-agent': ua })),
  ),
  3,
);

const collectorMethod = odd(fc.constant('POST'), fc.constantFrom('GET', 'PUT', 'PATCH', 'OPTIONS', 'HEAD'));

/** An item id for a path segment: a run-unique valid one, or a hostile one, percent-encoded. */
const pathItemId = odd(
  fc.constant('{id}'),
  fc.oneof(
    fc.constantFrom(
      '%00',
      '%2e%2e',
      '..',
      '%ff',
      '%',
      'a%2Fb',
      '%ED%A0%80',
      'a'.repeat(129),
      'a'.repeat(5000),
    ),
    fc.string({ unit: 'binary', maxLength: 20 }).map(encodePart),
  ),
  6,
);

/** encodeURIComponent, which throws on a lone surrogate: that one is written as its WTF-8 bytes. */
export function encodePart(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    // a lone surrogate: character by character below
  }
  return [...text]
    .map((c) => {
      const code = c.charCodeAt(0);
      if (c.length === 1 && code >= 0xd800 && code <= 0xdfff)
        return [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)]
          .map((b) => `%${b.toString(16).toUpperCase()}`)
          .join('');
      return encodeURIComponent(c);
    })
    .join('');
}

const deletionIds = fc.array(
  odd(fc.constant<unknown>(ASSIGNED_ID), fc.oneof(scalarHostile, fc.constant('x'.repeat(129))), 8),
  { maxLength: 20 },
);

function collector(
  path: fc.Arbitrary<string>,
  body: fc.Arbitrary<Body>,
  options: { method?: fc.Arbitrary<string> } = {},
): fc.Arbitrary<CollectorInput> {
  return fc
    .record({
      method: options.method ?? collectorMethod,
      path,
      key: keyChoice,
      contentType,
      encoding,
      body,
      headers: extraHeaders,
      chunked: odd(fc.constant(false), fc.constant(true)),
    })
    .map((r) => ({
      target: 'collector' as const,
      ...r,
      // NDJSON is mostly labelled as such; the other mismatches come from the odd content types.
      contentType:
        r.contentType === 'application/json' && framingOf(r.body) === 'ndjson'
          ? 'application/x-ndjson'
          : r.contentType,
    }));
}

function framingOf(body: Body): Framing | undefined {
  return body.kind === 'records' || body.kind === 'replicated' ? body.framing : undefined;
}

const eventsPath = odd(
  fc.constant('/v1/events'),
  fc.constantFrom(
    '/v1/events/',
    '/v1//events',
    '/V1/EVENTS',
    '/v1/events?x=%ff',
    '/v1/events%00',
    '/v1/./events',
  ),
);

/** Everything sent to the collector. */
export const collectorInput: fc.Arbitrary<CollectorInput> = fc.oneof(
  { arbitrary: collector(eventsPath, recordsBody(eventRecord)), weight: 400 },
  { arbitrary: collector(fc.constant('/v1/items'), recordsBody(itemRecord)), weight: 120 },
  {
    arbitrary: collector(
      fc.constant('/v1/items/delete'),
      fc.oneof(
        { arbitrary: deletionIds.map((ids) => ({ kind: 'deletion' as const, ids })), weight: 80 },
        {
          arbitrary: fc
            .tuple(deletionIds, fc.dictionary(fc.string({ maxLength: 8 }), scalarHostile, { maxKeys: 2 }))
            .map(([ids, extra]) => ({ kind: 'deletion' as const, ids, extra })),
          weight: 10,
        },
        { arbitrary: rawBodies, weight: 10 },
      ),
    ),
    weight: 50,
  },
  {
    arbitrary: collector(
      pathItemId.map((id) => `/v1/items/${id}`),
      odd(fc.constant<Body>({ kind: 'none' }), rawBodies, 3),
      { method: odd(fc.constant('DELETE'), fc.constantFrom('GET', 'PUT', 'POST')) },
    ),
    weight: 50,
  },
  {
    arbitrary: collector(fc.constantFrom('/v1/events', '/v1/items', '/v1/items/delete'), rawBodies),
    weight: 80,
  },
  { arbitrary: collector(fc.constantFrom('/v1/events', '/v1/items'), bigBodies), weight: 6 },
  {
    arbitrary: collector(fc.constantFrom('/v1/events', '/v1/items', '/v1/items/delete'), floodBodies),
    weight: 3,
  },
);

// ---------------------------------------------------------------------------------------------
// Serving

const MAX_K = 1000;

type QueryModel = Readonly<Record<string, SchemaNode>>;

const queryOf = (schema: unknown): QueryModel => (schema as SchemaNode).properties ?? {};

/** A query string: each parameter of the route absent, valid, hostile, or repeated; plus strays. */
function queryString(model: QueryModel): fc.Arbitrary<string> {
  const params = Object.entries(model).map(([name, node]) =>
    fc
      .oneof(
        { arbitrary: fc.constant<string[]>([]), weight: 4 },
        { arbitrary: arbitraryOf(node).map((v) => [toQueryValue(v)]), weight: 4 },
        { arbitrary: boundaryValues(node).map((v) => [toQueryValue(v)]), weight: 2 },
        {
          arbitrary: fc.array(arbitraryOf(node).map(toQueryValue), { minLength: 2, maxLength: 3 }),
          weight: 1,
        },
      )
      .map((values) => values.map((v) => `${name}=${encodePart(v)}`)),
  );
  const stray = odd(
    fc.constant<string[]>([]),
    fc.constantFrom(
      ['%'],
      ['a=%zz'],
      ['=x'],
      ['k'],
      ['__proto__[x]=1'],
      ['k=' + '9'.repeat(400)],
      ['x=' + 'y'.repeat(20_000)],
    ),
    4,
  );
  return fc.tuple(fc.tuple(...params), stray).map(([parts, extra]) => [...parts.flat(), ...extra].join('&'));
}

function toQueryValue(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (value instanceof Ago) return new Date(Date.now() - value.ms).toISOString();
  if (typeof value === 'string') return value;
  return JSON.stringify(value) ?? '';
}

const servingKey = fc.oneof(
  { arbitrary: fc.constant<KeyChoice>('valid'), weight: 20 },
  {
    arbitrary: fc.constantFrom<KeyChoice>('none', 'unknown', 'revoked', 'malformed', 'other-service'),
    weight: 3,
  },
);

function servingGet(path: fc.Arbitrary<string>, model: QueryModel): fc.Arbitrary<ServingInput> {
  return fc
    .record({
      method: odd(fc.constant('GET'), fc.constantFrom('POST', 'DELETE', 'HEAD', 'OPTIONS')),
      path,
      query: queryString(model),
      key: servingKey,
      contentType: odd(fc.constant<string | null>(null), fc.constantFrom('application/json', 'text/plain')),
      body: odd(fc.constant<Body>({ kind: 'none' }), rawBodies, 2),
    })
    .map((r) => ({ target: 'serving' as const, ...r }));
}

function servingPost(path: string, bodySchema: unknown): fc.Arbitrary<ServingInput> {
  const node = bodySchema as SchemaNode;
  const valid = arbitraryOf(node) as fc.Arbitrary<Record<string, unknown>>;
  const body = fc.oneof(
    {
      arbitrary: valid.map((v) => ({ kind: 'records' as const, framing: 'single' as const, records: [v] })),
      weight: 4,
    },
    {
      arbitrary: mutated(valid, () => fieldsOf1(node)).map((v) => ({
        kind: 'records' as const,
        framing: 'single' as const,
        records: [v],
      })),
      weight: 4,
    },
    { arbitrary: rawBodies, weight: 2 },
  );
  return fc
    .record({
      method: odd(fc.constant('POST'), fc.constantFrom('GET', 'PUT')),
      path: fc.constant(path),
      query: odd(fc.constant(''), fc.constantFrom('k=1', 'k=%ff', 'x=' + 'y'.repeat(5000))),
      key: servingKey,
      contentType,
      body,
    })
    .map((r) => ({ target: 'serving' as const, ...r }));
}

function fieldsOf1(node: SchemaNode): ContractField[] {
  return Object.entries(node.properties ?? {}).map(([name, child]) => ({ path: [name], node: child }));
}

const similarPath = pathItemId.map((id) => `/v1/items/${id === '{id}' ? 'sku-1' : id}/similar`);

/** Everything sent to serving's read routes (and its admin routes, with read keys). */
export const servingInput: fc.Arbitrary<ServingInput> = fc.oneof(
  {
    arbitrary: servingGet(fc.constant('/v1/recommendations'), queryOf(recommendationsQuery(MAX_K))),
    weight: 6,
  },
  {
    arbitrary: servingGet(fc.constant('/v1/recommendations/popular'), {
      k: { type: 'integer', minimum: 1, maximum: MAX_K },
    }),
    weight: 3,
  },
  { arbitrary: servingGet(similarPath, queryOf(similarQuery(MAX_K))), weight: 3 },
  { arbitrary: servingGet(fc.constant('/v1/search'), queryOf(searchQuery(MAX_K))), weight: 4 },
  { arbitrary: servingGet(fc.constant('/v1/search/suggest'), queryOf(SuggestQuery)), weight: 2 },
  {
    arbitrary: servingGet(
      fc.constantFrom('/v1/admin/experiments', '/v1/admin/experiments/assignment'),
      queryOf(AssignmentQuery),
    ),
    weight: 1,
  },
  { arbitrary: servingPost('/v1/recommendations/complements', complementsBody(MAX_K)), weight: 3 },
  { arbitrary: servingPost('/v1/recommendations/batch', batchBody(MAX_K)), weight: 2 },
);

/** The whole mix: mostly intake (where records can be lost), a quarter to serving. */
export const hostileInput: fc.Arbitrary<Input> = fc.oneof(
  { arbitrary: collectorInput, weight: 3 },
  { arbitrary: servingInput, weight: 1 },
);
