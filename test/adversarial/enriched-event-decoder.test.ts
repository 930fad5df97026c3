/**
 * The enriched-event decoder (@recstream/schemas) against hostile bytes, generated with fast-check:
 * whatever reaches the events topic, it answers with an event or a refusal and a reason, never a
 * throw. Enriched events made from the contract's valid events decode as they were sent; their
 * truncations, wrong types, huge values and bytes that are not UTF-8 are refused or read as the
 * readers always read them.
 */
import t, { type Test } from 'tap';
import fc from 'fast-check';
import {
  createValidators,
  decodeEnrichedEvent,
  type DecodedEnrichedEvent,
  type EnrichedEventNeeds,
} from '@recstream/schemas';
import { anyValidEvent } from './contract-arbitraries.js';
import { toJsonText } from './json-text.js';

const SEED = 21;
const now = Date.parse('2026-05-01T12:00:00.000Z');
const validators = createValidators();
const FEATURE: EnrichedEventNeeds = { times: ['event_time', 'received_at'], contract: validators };
const SINK: EnrichedEventNeeds = { times: ['event_time'] };
const ALL_NEEDS = [FEATURE, SINK, {}];

/** A valid client event enriched as the collector would, as a plain JSON value. */
const enrichedEvent: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(anyValidEvent, fc.integer({ min: 0, max: 10_000 }))
  .map(([event, n]) => {
    const client = JSON.parse(toJsonText({ ...event, event_id: `e-${n}` }, now)) as Record<string, unknown>;
    return {
      ...client,
      schema_version: 1,
      received_at: '2026-05-01T12:00:00.000Z',
      event_time: '2026-05-01T11:59:00.000Z',
      source: 'web',
    };
  });

/** Decodes, failing the test on a throw, and checks the shape of what came back. */
function decode(t: Test, bytes: Buffer | string | null, needs: EnrichedEventNeeds): DecodedEnrichedEvent {
  let decoded: DecodedEnrichedEvent;
  try {
    decoded = decodeEnrichedEvent(bytes, needs);
  } catch (error) {
    t.fail(`threw ${String(error)} on ${String(bytes).slice(0, 200)}`);
    throw error;
  }
  if (!decoded.ok && (decoded.refusal.reason === '' || decoded.refusal.reason.length > 2000))
    t.fail(`reason of ${decoded.refusal.reason.length} characters`);
  return decoded;
}

t.test('an enriched event of the contract decodes as it was sent, for every reader', (t) => {
  for (const event of fc.sample(enrichedEvent, { seed: SEED, numRuns: 1000 })) {
    for (const needs of ALL_NEEDS) {
      const decoded = decode(t, Buffer.from(JSON.stringify(event)), needs);
      if (!decoded.ok) t.fail(`${decoded.refusal.reason} for ${JSON.stringify(event).slice(0, 300)}`);
      else if (JSON.stringify(decoded.event) !== JSON.stringify(event)) t.fail('decoded differently');
    }
  }
  t.pass('1,000 events, three readers');
  t.end();
});

t.test('any truncation of an event is refused as unreadable', (t) => {
  const cut = fc.tuple(enrichedEvent, fc.double({ min: 0, max: 1, noNaN: true })).map(([event, at]) => {
    const text = Buffer.from(JSON.stringify(event));
    return text.subarray(0, Math.floor(at * (text.length - 1)));
  });
  for (const bytes of fc.sample(cut, { seed: SEED, numRuns: 2000 })) {
    for (const needs of ALL_NEEDS) {
      const decoded = decode(t, bytes, needs);
      if (decoded.ok || decoded.refusal.kind !== 'unreadable')
        t.fail(`a truncation was not refused as unreadable: ${bytes.toString('utf8').slice(0, 200)}`);
    }
  }
  t.pass('2,000 truncations');
  t.end();
});

t.test('random bytes never throw, and bytes that are not UTF-8 are read with U+FFFD', (t) => {
  const bytes = fc.oneof(
    fc.uint8Array({ maxLength: 512 }).map((array) => Buffer.from(array)),
    // Valid JSON with bytes that are not UTF-8 (a lone continuation, a cut sequence, an overlong form) in a value.
    fc
      .tuple(
        enrichedEvent,
        fc.constantFrom([0x80], [0xff], [0xc3], [0xe2, 0x82], [0xc0, 0xaf], [0xed, 0xa0, 0x80]),
      )
      .map(([event, bad]) => {
        const text = JSON.stringify({ ...event, source: 'web-MARK' });
        const [before, after] = text.split('MARK') as [string, string];
        return Buffer.concat([Buffer.from(before), Buffer.from(bad), Buffer.from(after)]);
      }),
  );
  let replaced = 0;
  for (const input of fc.sample(bytes, { seed: SEED, numRuns: 5000 })) {
    for (const needs of ALL_NEEDS) {
      const decoded = decode(t, input, needs);
      if (decoded.ok && typeof decoded.event.source === 'string' && decoded.event.source.startsWith('web-')) {
        if (!/^web-\ufffd+$/.test(decoded.event.source)) t.fail(`source read as ${decoded.event.source}`);
        else replaced += 1;
      }
    }
  }
  t.ok(replaced > 1000, `${replaced} sources read with U+FFFD in place of the bytes`);
  t.end();
});

t.test('wrong types in the id and the times are refused with the fields the reader needs', (t) => {
  const wrong = fc.oneof(
    fc.constant(undefined),
    fc.constant(null),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.array(fc.string(), { maxLength: 3 }),
    fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 }),
    fc.constantFrom('', 'soon', '2026-13-45T99:99:99Z'),
  );
  const broken = fc
    .tuple(enrichedEvent, fc.constantFrom('event_id', 'event_time', 'received_at'), wrong)
    .filter(([, field, value]) => field !== 'event_id' || typeof value !== 'string')
    .map(([event, field, value]) => ({ field, text: JSON.stringify({ ...event, [field]: value }) }));
  for (const { field, text } of fc.sample(broken, { seed: SEED, numRuns: 2000 })) {
    const feature = decode(t, text, FEATURE);
    if (feature.ok || feature.refusal.kind !== 'not_enriched')
      t.fail(`feature: ${field} in ${text.slice(0, 200)}`);
    else if (
      feature.refusal.reason !==
      'not an enriched event: event_id, event_time or received_at missing or unreadable'
    )
      t.fail(feature.refusal.reason);
    const sink = decode(t, text, SINK);
    if (field === 'received_at') {
      if (!sink.ok) t.fail(`the sink needs no received_at: ${sink.refusal.reason}`);
    } else if (
      sink.ok ||
      sink.refusal.reason !== 'not an enriched event: event_id or event_time missing or unreadable'
    )
      t.fail(`sink: ${field} in ${text.slice(0, 200)}`);
  }
  for (const text of ['null', '[]', '[{"event_id":"e1"}]', '"event"', '42', 'true', '{}']) {
    const decoded = decode(t, text, SINK);
    t.match(decoded, { ok: false, refusal: { kind: 'not_enriched' } }, `${text} is not an enriched event`);
  }
  t.match(decode(t, null, SINK), { ok: false, refusal: { kind: 'not_enriched', value: null } }, 'no value');
  t.match(decode(t, Buffer.alloc(0), SINK), { ok: false, refusal: { kind: 'unreadable' } }, 'an empty value');
  t.end();
});

t.test('a client field of the wrong type breaks the contract for the feature service only', (t) => {
  const broken = fc
    .tuple(
      enrichedEvent,
      fc.constantFrom('user_id', 'type', 'item_id', 'items', 'item_ids', 'query', 'properties', 'extra'),
      fc.oneof(fc.integer(), fc.constant(null), fc.string({ minLength: 200, maxLength: 300 })),
    )
    .map(([event, field, value]) => JSON.stringify({ ...event, [field]: value }));
  let refused = 0;
  for (const text of fc.sample(broken, { seed: SEED, numRuns: 1000 })) {
    const feature = decode(t, text, FEATURE);
    if (!feature.ok) {
      if (feature.refusal.kind !== 'contract') t.fail(feature.refusal.reason);
      else if (!feature.refusal.reason.startsWith('event against the contract: '))
        t.fail(feature.refusal.reason);
      else refused += 1;
    }
    if (!decode(t, text, SINK).ok) t.fail(`the sink refused a client field: ${text.slice(0, 200)}`);
  }
  t.ok(refused > 800, `${refused} of 1,000 refused by the contract (the rest stayed valid)`);
  t.end();
});

t.test('huge and deeply nested values are answered, not thrown', (t) => {
  const base = fc.sample(enrichedEvent, { seed: SEED, numRuns: 1 })[0] ?? {};
  const huge = [
    JSON.stringify({ ...base, event_id: 'x'.repeat(1 << 20) }),
    JSON.stringify({
      ...base,
      type: 'impression',
      item_ids: Array.from({ length: 200_000 }, (_, i) => `i${i}`),
    }),
    JSON.stringify({ ...base, properties: { blob: 'é'.repeat(1 << 19) } }),
    `{"event_id":"e","properties":${'['.repeat(100_000)}${']'.repeat(100_000)}}`,
    `${'['.repeat(1_000_000)}`,
    `{"event_id":"e","event_time":"2026-05-01T11:59:00.000Z","received_at":"2026-05-01T12:00:00.000Z","properties":${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}}`,
  ];
  for (const text of huge) {
    for (const needs of ALL_NEEDS) decode(t, Buffer.from(text), needs);
  }
  t.match(decode(t, huge[0] ?? '', SINK), { ok: true }, 'a 1 MiB id is the column checks’ business');
  t.match(
    decode(t, huge[5] ?? '', FEATURE),
    { ok: false, refusal: { kind: 'contract' } },
    'properties nested 50,000 deep break the contract',
  );
  t.end();
});
