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
import { CatalogItem } from './items/item.schema.js';

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

/** Compiles every contract once; build it at startup and pass it down. */
export function createValidators(): ContractValidators {
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
      if (properties !== undefined && Buffer.byteLength(JSON.stringify(properties)) > MAX_PROPERTIES_BYTES) {
        problems.push({
          field: '/properties',
          reason: `must be at most ${MAX_PROPERTIES_BYTES} bytes serialized`,
        });
      }
      return problems.length === 0 ? { ok: true, value: input as ClickstreamEvent } : { ok: false, problems };
    },
    validateItem(input) {
      if (itemValidator(input)) return { ok: true, value: input };
      return { ok: false, problems: (itemValidator.errors ?? []).map(describe) };
    },
  };
}
