/**
 * Arbitraries derived from the contracts in `schemas/` (the TypeBox objects are JSON Schema): a
 * valid event of each type and a valid catalog item, and the list of every field with its limits,
 * so that hostile mutations can aim at each bound ("at the limit", "one over") without re-typing
 * the contract here.
 *
 * Values that need the run's clock or a unique id are markers the serializer fills in
 * (`json-text.ts`): `ASSIGNED_ID` for `event_id`/`item_id`, `Ago` for date-time fields.
 */
import fc from 'fast-check';
import { CatalogItem, EVENT_SCHEMAS, EVENT_TYPES, type EventType } from '@recstream/schemas';
import { ASSIGNED_ID, Ago } from './json-text.js';

/** The subset of JSON Schema the contracts use. */
export interface SchemaNode {
  readonly type?: string;
  readonly const?: unknown;
  readonly enum?: readonly unknown[];
  readonly anyOf?: readonly SchemaNode[];
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly required?: readonly string[];
  readonly patternProperties?: Readonly<Record<string, SchemaNode>>;
  readonly maxProperties?: number;
  readonly items?: SchemaNode;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly format?: string;
  readonly minimum?: number;
  readonly maximum?: number;
}

/** Strings of valid contract values: mostly plain, sometimes odd but legal Unicode. */
const ODD_UNITS = [
  'é', // precomposed
  'e\u0301', // combining acute
  '\u202e', // right-to-left override
  '\u200b', // zero-width space
  '\ufeff', // byte-order mark
  '\u2028', // line separator (breaks naive NDJSON / JS)
  '\u0000', // NUL
  '\\N', // ClickHouse's TSV null
  '\\',
  '"',
  '\t',
  '😀', // astral (a surrogate pair)
  '👩‍👩‍👧', // ZWJ sequence
  '\ud800', // lone high surrogate (legal in a JSON string escape)
  '\udfff', // lone low surrogate
  "'); DROP TABLE events; --",
];
const textUnit = fc.oneof(
  { arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }), weight: 8 },
  { arbitrary: fc.constantFrom(...ODD_UNITS), weight: 1 },
);

function stringArbitrary(node: SchemaNode): fc.Arbitrary<unknown> {
  const min = node.minLength ?? 0;
  const max = node.maxLength ?? 256;
  if (node.format === 'date-time') {
    // Up to six hours in the past of the run's clock: plausible client times.
    return fc.integer({ min: 0, max: 6 * 3600_000 }).map((ms) => new Ago(ms));
  }
  if (node.pattern !== undefined) {
    const regex = new RegExp(node.pattern);
    const body = fc.stringMatching(regex, { maxLength: Math.min(max, 40) });
    if (node.maxLength === undefined) return body.filter((s) => s.length >= min);
    // At the limit: a matching string repeated (which still matches the contract's patterns).
    const atLimit = body.map((s) => s.repeat(Math.ceil(max / Math.max(1, s.length))).slice(0, max));
    return fc
      .oneof({ arbitrary: body, weight: 20 }, { arbitrary: atLimit, weight: 1 })
      .map((s) => s.slice(0, max))
      .filter((s) => s.length >= min && regex.test(s));
  }
  // Lengths are counted in code points by the validator: keep well inside the limit, with a
  // few strings exactly at it.
  const plain = fc
    .array(textUnit, { minLength: Math.max(min, 0), maxLength: Math.min(max, 24) })
    .map((units) => units.join(''));
  const atLimit = fc.constant('x'.repeat(max));
  return fc.oneof({ arbitrary: plain, weight: 30 }, { arbitrary: atLimit, weight: 1 }).filter((s) => {
    const length = [...s].length;
    return length >= min && length <= max;
  });
}

const built = new WeakMap<SchemaNode, fc.Arbitrary<unknown>>();

/** A valid value of `node` (built once per schema node: building one costs far more than a draw). */
export function arbitraryOf(node: SchemaNode): fc.Arbitrary<unknown> {
  let arbitrary = built.get(node);
  if (arbitrary === undefined) {
    arbitrary = build(node);
    built.set(node, arbitrary);
  }
  return arbitrary;
}

function build(node: SchemaNode): fc.Arbitrary<unknown> {
  if (node.const !== undefined) return fc.constant(node.const);
  if (node.enum !== undefined) return fc.constantFrom(...node.enum);
  if (node.anyOf !== undefined) return fc.oneof(...node.anyOf.map(arbitraryOf));
  switch (node.type ?? '') {
    case 'string':
      return stringArbitrary(node);
    case 'integer':
      // Where the contract sets no maximum, stay in the range every store holds: the extremes
      // are the hostile generator's business.
      return fc.integer({ min: node.minimum ?? -1_000_000, max: node.maximum ?? 1_000_000 });
    case 'number':
      return fc.double({
        min: node.minimum ?? -1e6,
        max: node.maximum ?? 1e6,
        noNaN: true,
        noDefaultInfinity: true,
      });
    case 'boolean':
      return fc.boolean();
    case 'array': {
      const items = arbitraryOf(node.items ?? {});
      const min = node.minItems ?? 0;
      const max = node.maxItems ?? 10;
      return fc.oneof(
        { arbitrary: fc.array(items, { minLength: min, maxLength: Math.min(max, 6) }), weight: 30 },
        { arbitrary: fc.array(items, { minLength: max, maxLength: max }), weight: 1 },
      );
    }
    case 'object': {
      if (node.patternProperties !== undefined) {
        // Few small keys keep free-form properties under their byte cap.
        const valueNode = Object.values(node.patternProperties)[0] ?? {};
        const value =
          Object.keys(valueNode).length > 0
            ? arbitraryOf(valueNode)
            : fc.jsonValue({ maxDepth: 2 }).filter((v) => JSON.stringify(v).length < 200);
        return fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), value, { maxKeys: 4 });
      }
      const properties = node.properties ?? {};
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [name, child] of Object.entries(properties)) model[name] = arbitraryOf(child);
      return fc.record(model, { requiredKeys: [...(node.required ?? [])] });
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

const eventSchemas = EVENT_SCHEMAS as unknown as Record<EventType, SchemaNode>;

const validEvents = new Map<EventType, fc.Arbitrary<Record<string, unknown>>>();

/** A valid event of `type` (its `event_id` assigned at serialization). */
export function validEvent(type: EventType): fc.Arbitrary<Record<string, unknown>> {
  let arbitrary = validEvents.get(type);
  if (arbitrary === undefined) {
    arbitrary = buildValidEvent(type);
    validEvents.set(type, arbitrary);
  }
  return arbitrary;
}

function buildValidEvent(type: EventType): fc.Arbitrary<Record<string, unknown>> {
  return (arbitraryOf(eventSchemas[type]) as fc.Arbitrary<Record<string, unknown>>).map((event) => {
    const valid: Record<string, unknown> = { ...event, event_id: ASSIGNED_ID };
    // The one rule outside the schema: a shopper is named.
    if (valid['user_id'] === undefined && valid['anonymous_id'] === undefined) valid['user_id'] = 'u-1';
    return valid;
  });
}

export const anyValidEvent: fc.Arbitrary<Record<string, unknown>> = fc
  .constantFrom(...EVENT_TYPES)
  .chain(validEvent);

/** A valid catalog item (its `item_id` assigned at serialization). */
export const validItem: fc.Arbitrary<Record<string, unknown>> = (
  arbitraryOf(CatalogItem as unknown as SchemaNode) as fc.Arbitrary<Record<string, unknown>>
).map((item) => ({ ...item, item_id: ASSIGNED_ID }));

export interface ContractField {
  /** Property names from the record's root. */
  readonly path: readonly string[];
  readonly node: SchemaNode;
}

/** Every property of an object schema, nested objects included (not inside arrays). */
export function fieldsOf(node: SchemaNode, path: readonly string[] = []): ContractField[] {
  const fields: ContractField[] = [];
  for (const [name, child] of Object.entries(node.properties ?? {})) {
    fields.push({ path: [...path, name], node: child });
    if (child.type === 'object' && child.properties !== undefined)
      fields.push(...fieldsOf(child, [...path, name]));
  }
  return fields;
}

export const EVENT_FIELDS: Record<EventType, ContractField[]> = Object.fromEntries(
  EVENT_TYPES.map((type) => [type, fieldsOf(eventSchemas[type])]),
) as Record<EventType, ContractField[]>;

export const ITEM_FIELDS: ContractField[] = fieldsOf(CatalogItem);
