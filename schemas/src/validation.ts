/**
 * Validators compiled from the contracts. They return a verdict with one entry per problem, each
 * naming the field (a JSON pointer) and the reason, so a client can fix what it sends.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import {
  EVENT_SCHEMAS,
  EVENT_TYPES,
  MAX_PROPERTIES_BYTES,
  type ClickstreamEvent,
  type EventType,
} from './events/event.schema.js';
import {
  CatalogItem,
  DEFAULT_ITEM_MAX_FUTURE_SKEW_MS,
  ITEM_TIME_MAX,
  ITEM_TIME_MIN,
} from './items/item.schema.js';

// ajv-formats is published as CommonJS with a default export.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

export interface FieldProblem {
  /** JSON pointer of the offending field, e.g. `/items/0/price`; `/` for the whole document. */
  readonly field: string;
  readonly reason: string;
}

export type Verdict<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problems: FieldProblem[] };

function buildAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
  addFormats(ajv);
  return ajv;
}

function describe(error: ErrorObject): FieldProblem {
  const at = error.instancePath === '' ? '/' : error.instancePath;
  switch (error.keyword) {
    case 'required': {
      const missing = String((error.params as { missingProperty: string }).missingProperty);
      return { field: `${error.instancePath}/${missing}`, reason: 'is required' };
    }
    case 'additionalProperties': {
      const extra = String((error.params as { additionalProperty: string }).additionalProperty);
      return { field: `${error.instancePath}/${extra}`, reason: 'is not allowed for this event type' };
    }
    default:
      return { field: at, reason: error.message ?? error.keyword };
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isEventType(value: unknown): value is EventType {
  return typeof value === 'string' && (EVENT_TYPES as readonly string[]).includes(value);
}

export interface ContractValidators {
  validateEvent(input: unknown): Verdict<ClickstreamEvent>;
  validateItem(input: unknown): Verdict<CatalogItem>;
}

export interface ValidatorOptions {
  /** The receive time, in epoch milliseconds; default `Date.now`. */
  readonly now?: () => number;
  /** How far after the receive time an item's `updated_at` or `created_at` may be. */
  readonly maxItemFutureSkewMs?: number;
}

const ITEM_TIME_MIN_MS = Date.parse(ITEM_TIME_MIN);
const ITEM_TIME_MAX_MS = Date.parse(ITEM_TIME_MAX);

/**
 * Item times outside the DateTime range, after the receive time plus the skew, or that Date cannot
 * read (a leap second).
 */
function itemTimeProblems(item: CatalogItem, latestMs: number): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const field of ['updated_at', 'created_at'] as const) {
    const value = item[field];
    if (value === undefined) continue;
    const at = Date.parse(value);
    if (Number.isNaN(at)) problems.push({ field: `/${field}`, reason: 'must be a representable time' });
    else if (at < ITEM_TIME_MIN_MS || at > ITEM_TIME_MAX_MS)
      problems.push({ field: `/${field}`, reason: `must be between ${ITEM_TIME_MIN} and ${ITEM_TIME_MAX}` });
    else if (at > latestMs)
      problems.push({
        field: `/${field}`,
        reason: `must not be later than ${new Date(latestMs).toISOString()} (the receive time plus the allowed clock skew)`,
      });
  }
  return problems;
}

/** Compiles every contract once; build it at startup and pass it down. */
export function createValidators(options: ValidatorOptions = {}): ContractValidators {
  const now = options.now ?? Date.now;
  const itemSkewMs = options.maxItemFutureSkewMs ?? DEFAULT_ITEM_MAX_FUTURE_SKEW_MS;
  const ajv = buildAjv();
  const byType = new Map<EventType, ValidateFunction>(
    EVENT_TYPES.map((type) => [type, ajv.compile(EVENT_SCHEMAS[type])]),
  );
  const itemValidator = ajv.compile<CatalogItem>(CatalogItem);

  return {
    validateEvent(input) {
      if (!isRecord(input)) return { ok: false, problems: [{ field: '/', reason: 'must be a JSON object' }] };
      const type = input['type'];
      if (!isEventType(type)) {
        return {
          ok: false,
          problems: [
            {
              field: '/type',
              reason: type === undefined ? 'is required' : `must be one of: ${EVENT_TYPES.join(', ')}`,
            },
          ],
        };
      }
      const validate = byType.get(type);
      if (validate === undefined) throw new Error(`no validator compiled for event type ${type}`);
      const problems: FieldProblem[] = validate(input) ? [] : (validate.errors ?? []).map(describe);
      if (input['user_id'] === undefined && input['anonymous_id'] === undefined) {
        problems.push({ field: '/user_id', reason: 'user_id or anonymous_id is required' });
      }
      const properties = input['properties'];
      if (properties !== undefined && !(serializedBytes(properties) <= MAX_PROPERTIES_BYTES)) {
        problems.push({
          field: '/properties',
          reason: `must be at most ${MAX_PROPERTIES_BYTES} bytes serialized`,
        });
      }
      return problems.length === 0 ? { ok: true, value: input as ClickstreamEvent } : { ok: false, problems };
    },
    validateItem(input) {
      if (!itemValidator(input)) return { ok: false, problems: (itemValidator.errors ?? []).map(describe) };
      const problems = itemTimeProblems(input, now() + itemSkewMs);
      return problems.length === 0 ? { ok: true, value: input } : { ok: false, problems };
    },
  };
}

/**
 * Bytes of `value` as JSON; Infinity when it cannot be serialized (JSON.stringify recurses, so a
 * value nested thousands of levels deep overflows the stack: far over any bound).
 */
function serializedBytes(value: unknown): number {
  try {
    return Buffer.byteLength(JSON.stringify(value));
  } catch {
    return Infinity;
  }
}
