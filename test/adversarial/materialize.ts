/**
 * Turns an input recipe into the request bytes, and says which record of the request carries which
 * run-unique id, index by index as the collector numbers them (one document; the elements of a
 * JSON array; the non-blank lines of NDJSON), so that the `rejected` indices of the answer tell
 * which records were accepted.
 */
import { createHash } from 'node:crypto';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import type { Body, Input, KeyChoice } from './hostile-inputs.js';
import { ASSIGNED_ID, assignId, cloneJson, toJsonText } from './json-text.js';

/** What a record that can be accepted becomes in ClickHouse. */
export type TrackedKind = 'event' | 'item' | 'deletion';

export interface Tracked {
  readonly kind: TrackedKind;
  readonly id: string;
}

export interface WireRequest {
  readonly method: string;
  /** Path and query. */
  readonly path: string;
  readonly headers: Record<string, string | string[]>;
  readonly body: Buffer | undefined;
  readonly chunked: boolean;
  /** Per record index, the id it carries when it is one of ours; the length is the record count. */
  readonly records: readonly (Tracked | undefined)[];
}

/** The credentials the harness issued. */
export interface Keys {
  /** A server key with the events and catalog scopes. */
  readonly write: string;
  /** A browser key: events only, never the catalog. */
  readonly browserWrite: string;
  readonly revokedWrite: string;
  readonly read: string;
  readonly revokedRead: string;
}

const idOf = (prefix: string, input: number, index: number | string) =>
  `${prefix}${input.toString(36)}.${typeof index === 'number' ? index.toString(36) : index}`;

/** Deterministic pseudo-random id characters (incompressible, from the contract's id alphabet). */
function noiseId(seed: string, length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.:@/+=-';
  let out = '';
  let block = 0;
  while (out.length < length) {
    const digest = createHash('sha256').update(`${seed}/${block++}`).digest();
    for (const byte of digest) out += alphabet[byte % alphabet.length];
  }
  return out.slice(0, length);
}

interface BodyText {
  readonly text: string | Buffer | undefined;
  /** Ids assigned, by kind, for matching records back after parsing. */
  readonly assigned: Map<string, TrackedKind>;
}

function bodyText(body: Body, path: string, input: number, now: number): BodyText {
  const assigned = new Map<string, TrackedKind>();
  const isItems = path.startsWith('/v1/items');
  const assignRecord = (record: unknown, index: number): unknown => {
    const copy = cloneJson(record);
    const id = idOf(isItems ? 'i' : 'e', input, index);
    if (assignId(copy, isItems ? 'item_id' : 'event_id', id)) assigned.set(id, isItems ? 'item' : 'event');
    // A record of the other kind keeps a traceable id too (an event sent to /v1/items).
    else if (assignId(copy, isItems ? 'event_id' : 'item_id', id)) assigned.set(`~${id}`, 'event');
    return copy;
  };
  const frame = (records: readonly unknown[], framing: string, lineEnd = '\n') => {
    const texts = records.map((r) => toJsonText(r, now));
    if (framing === 'single') return texts[0] ?? '';
    if (framing === 'array') return `[${texts.join(',')}]`;
    return texts.join(lineEnd) + lineEnd;
  };
  switch (body.kind) {
    case 'none':
      return { text: undefined, assigned };
    case 'records': {
      const text = frame(body.records.map(assignRecord), body.framing, body.lineEnd);
      return {
        text: body.cutAt === undefined ? text : text.slice(0, Math.floor(text.length * body.cutAt)),
        assigned,
      };
    }
    case 'replicated':
      return {
        text: frame(
          Array.from({ length: body.count }, (_, i) => assignRecord(body.template, i)),
          body.framing,
        ),
        assigned,
      };
    case 'wide-impressions': {
      const records = Array.from({ length: body.count }, (_, i) => ({
        event_id: ASSIGNED_ID,
        type: 'impression',
        anonymous_id: `a-wide-${input.toString(36)}`,
        item_ids: Array.from({ length: body.ids }, (_, j) => noiseId(`${input}/${i}/${j}`, body.idLength)),
      }));
      return { text: frame(records.map(assignRecord), 'array'), assigned };
    }
    case 'deletion': {
      const ids = body.ids.map((id, i) => {
        if (id !== ASSIGNED_ID) return id;
        const assignedId = idOf('d', input, i);
        assigned.set(assignedId, 'deletion');
        return assignedId;
      });
      return { text: toJsonText({ item_ids: ids, ...body.extra }, now), assigned };
    }
    case 'text':
      return { text: body.text, assigned };
    case 'bytes':
      return { text: Buffer.from(body.bytes), assigned };
    case 'repeat':
      return { text: body.before + body.unit.repeat(body.times) + body.after, assigned };
    case 'nested': {
      const inner = body.open === '[' ? '' : '1';
      return { text: body.open.repeat(body.depth) + inner + body.close.repeat(body.depth), assigned };
    }
  }
}

/** The records the collector will see, parsed as it parses them (undefined: not parseable). */
function recordsAsParsed(text: string, contentType: string | null): unknown[] | undefined {
  const media = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (media === 'application/x-ndjson') {
    return text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => {
        try {
          return JSON.parse(line) as unknown;
        } catch {
          return undefined;
        }
      });
  }
  if (media === 'application/json') {
    try {
      const value = JSON.parse(text) as unknown;
      return Array.isArray(value) ? (value as unknown[]) : [value];
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function tracked(
  parsed: readonly unknown[] | undefined,
  assigned: Map<string, TrackedKind>,
  path: string,
): (Tracked | undefined)[] {
  if (parsed === undefined) return [];
  if (path === '/v1/items/delete') {
    const ids = (parsed[0] as { item_ids?: unknown } | undefined)?.item_ids;
    if (!Array.isArray(ids)) return [];
    return ids.map((id) =>
      typeof id === 'string' && assigned.get(id) === 'deletion' ? { kind: 'deletion', id } : undefined,
    );
  }
  const field = path.startsWith('/v1/items') ? 'item_id' : 'event_id';
  return parsed.map((record) => {
    const id = (record as Record<string, unknown> | null)?.[field];
    const kind = typeof id === 'string' ? assigned.get(id) : undefined;
    return kind === undefined ? undefined : { kind, id: id as string };
  });
}

function encode(body: Buffer, encoding: string): { body: Buffer; header?: string } {
  switch (encoding) {
    case 'gzip':
      return { body: gzipSync(body), header: 'gzip' };
    case 'gzip-upper':
      return { body: gzipSync(body), header: ' GZIP ' };
    case 'gzip-corrupt': {
      const zipped = gzipSync(body);
      const at = Math.floor(zipped.length / 2);
      for (let i = at; i < Math.min(at + 8, zipped.length - 8); i++) zipped[i] = (zipped[i] ?? 0) ^ 0xff;
      return { body: zipped, header: 'gzip' };
    }
    case 'gzip-truncated': {
      const zipped = gzipSync(body);
      return { body: zipped.subarray(0, Math.floor(zipped.length / 2)), header: 'gzip' };
    }
    case 'gzip-double':
      return { body: gzipSync(gzipSync(body)), header: 'gzip' };
    case 'gzip-trailing':
      return { body: Buffer.concat([gzipSync(body), Buffer.from('trailing garbage')]), header: 'gzip' };
    case 'gzip-label-only':
      return { body, header: 'gzip' };
    case 'deflate':
      return { body: deflateSync(body), header: 'deflate' };
    case 'br':
      return { body: brotliCompressSync(body), header: 'br' };
    default:
      return { body };
  }
}

function keyValue(choice: KeyChoice, target: Input['target'], keys: Keys, input: number): string[] {
  const own = target === 'collector' ? keys.write : keys.read;
  switch (choice) {
    case 'valid':
      return [own];
    case 'browser':
      return [target === 'collector' ? keys.browserWrite : own];
    case 'none':
      return [];
    case 'unknown':
      return [
        `${target === 'collector' ? 'rk_' : 'rs_'}${noiseId(`key/${input}`, 43).replace(/[^A-Za-z0-9_-]/g, 'A')}`,
      ];
    case 'revoked':
      return [target === 'collector' ? keys.revokedWrite : keys.revokedRead];
    case 'malformed':
      return [
        ['', ' ', 'rk_', 'Bearer', 'x'.repeat(8000), 'rk_!!!!', `${own} `, own.toUpperCase()][input % 8] ??
          '',
      ];
    case 'other-service':
      return [target === 'collector' ? keys.read : keys.write];
    case 'twice':
      return [own, own];
  }
}

/** The request for input number `input` of the run. `now` is the run's clock. */
export function materialize(recipe: Input, input: number, keys: Keys, now: number): WireRequest {
  let path =
    recipe.target === 'serving' && recipe.query !== '' ? `${recipe.path}?${recipe.query}` : recipe.path;
  const pathDeletion = path.includes('{id}') ? idOf('d', input, 'p') : undefined;
  if (pathDeletion !== undefined) path = path.replace('{id}', pathDeletion);

  const { text, assigned } = bodyText(recipe.body, recipe.path, input, now);
  const raw = text === undefined ? undefined : typeof text === 'string' ? Buffer.from(text) : text;
  const headers: Record<string, string | string[]> = {};
  if (recipe.contentType !== null && raw !== undefined) headers['content-type'] = recipe.contentType;
  else if (recipe.contentType !== null && recipe.contentType !== '')
    headers['content-type'] = recipe.contentType;
  let body = raw;
  if (recipe.target === 'collector') {
    Object.assign(headers, recipe.headers);
    if (raw !== undefined) {
      const encoded = encode(raw, recipe.encoding);
      body = encoded.body;
      if (encoded.header !== undefined) headers['content-encoding'] = encoded.header;
    }
  }
  const credential = keyValue(recipe.key, recipe.target, keys, input);
  if (credential.length > 0) {
    if (recipe.target === 'collector')
      headers['x-write-key'] = credential.length === 1 ? (credential[0] as string) : credential;
    else headers['authorization'] = credential.map((k) => `Bearer ${k}`).join(', ');
  }

  let records: (Tracked | undefined)[] = [];
  if (recipe.target === 'collector') {
    if (pathDeletion !== undefined && recipe.method === 'DELETE')
      records = [{ kind: 'deletion', id: pathDeletion }];
    else if (typeof text === 'string')
      records = tracked(recordsAsParsed(text, recipe.contentType), assigned, recipe.path);
  }
  return {
    method: recipe.method,
    path,
    headers,
    body,
    chunked: recipe.target === 'collector' && recipe.chunked,
    records,
  };
}

/** A short, printable description of a recipe: the reproduction of a failing input. */
export function describeInput(recipe: Input): string {
  const text = JSON.stringify(recipe, (_key, value: unknown) =>
    typeof value === 'string' && value.length > 200 ? `${value.slice(0, 60)}…(${value.length} chars)` : value,
  );
  return text.length > 4000 ? `${text.slice(0, 4000)}…` : text;
}
