/**
 * The one decoder of enriched events read from Kafka (the events topic, or a DLQ payload that was
 * one): bytes → an enriched event, or a typed refusal with its reason. The sink, the feature
 * service and the DLQ replay decode through it.
 *
 * Kafka has no authentication, so the bytes may come from anything: the decoder never throws.
 * Each reader says what it needs on top of valid JSON holding an object with an `event_id`:
 * - `times`: the server times it must be able to read (the sink keys a row by `event_time`; the
 *   feature service also judges lateness by `received_at`);
 * - `contract`: the validators, when the client part must keep the contract (the feature service,
 *   which must refuse what its compiler or its Lua step cannot read; the sink stores what the
 *   columns can hold, so an event stays in the log of record when the contract moves on).
 * Bytes that are not UTF-8 are read with U+FFFD in their place, as the readers always did.
 */
import type { ContractValidators, FieldProblem } from '../validation.js';
import { ServerFields, type EnrichedEvent } from './event.schema.js';

export type ServerTime = 'event_time' | 'received_at';

export interface EnrichedEventNeeds {
  /** Server times that must be readable times; `event_id` is always needed. */
  readonly times?: readonly ServerTime[];
  /** Also check the client part against the contract. */
  readonly contract?: ContractValidators;
}

export type EnrichedEventRefusal =
  /** Not JSON (or not UTF-8 JSON text at all); `detail` is the parser's message. */
  | { readonly kind: 'unreadable'; readonly reason: string; readonly detail: string }
  /** JSON, but not an object with the id and times the reader needs; `value` is what it was. */
  | { readonly kind: 'not_enriched'; readonly reason: string; readonly value: unknown }
  /** An enriched event whose client part breaks the contract. */
  | {
      readonly kind: 'contract';
      readonly reason: string;
      readonly value: unknown;
      readonly problems: readonly FieldProblem[];
    };

export type DecodedEnrichedEvent =
  | { readonly ok: true; readonly event: EnrichedEvent }
  | { readonly ok: false; readonly refusal: EnrichedEventRefusal };

/** The fields ingest adds to a client's event; a client never sends them (the contract refuses them). */
export const SERVER_FIELD_NAMES: readonly string[] = Object.keys(ServerFields.properties);

/** Problems named in a contract refusal's reason, at most. */
const PROBLEMS_IN_REASON = 5;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** `a`, `a or b`, `a, b or c`. */
function either(names: readonly string[]): string {
  return names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
}

/** The record a client sent, inside an enriched event (or any object): the server fields left out. */
export function clientRecord(value: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const client = { ...value };
  for (const field of SERVER_FIELD_NAMES) delete client[field];
  return client;
}

function contractProblems(event: Record<string, unknown>, validators: ContractValidators): FieldProblem[] {
  try {
    const verdict = validators.validateEvent(clientRecord(event));
    return verdict.ok ? [] : verdict.problems;
  } catch (error) {
    // A value the validators cannot even walk is refused like any other breach, never retried.
    return [{ field: '/', reason: `cannot be checked: ${message(error)}` }];
  }
}

export function decodeEnrichedEvent(
  bytes: Buffer | string | null,
  needs: EnrichedEventNeeds = {},
): DecodedEnrichedEvent {
  let value: unknown;
  try {
    value = JSON.parse(typeof bytes === 'string' ? bytes : (bytes?.toString('utf8') ?? 'null'));
  } catch (error) {
    const detail = message(error);
    return { ok: false, refusal: { kind: 'unreadable', reason: `undecodable event: ${detail}`, detail } };
  }
  const times = needs.times ?? [];
  if (
    !isRecord(value) ||
    typeof value['event_id'] !== 'string' ||
    times.some((field) => typeof value[field] !== 'string' || Number.isNaN(Date.parse(value[field])))
  ) {
    const reason = `not an enriched event: ${either(['event_id', ...times])} missing or unreadable`;
    return { ok: false, refusal: { kind: 'not_enriched', reason, value } };
  }
  if (needs.contract !== undefined) {
    const problems = contractProblems(value, needs.contract);
    if (problems.length > 0) {
      const named = problems
        .slice(0, PROBLEMS_IN_REASON)
        .map((problem) => `${problem.field} ${problem.reason}`)
        .join('; ');
      return {
        ok: false,
        refusal: { kind: 'contract', reason: `event against the contract: ${named}`, value, problems },
      };
    }
  }
  // The checks the reader asked for passed; the rest of the shape is the writer's promise.
  return { ok: true, event: value as unknown as EnrichedEvent };
}
