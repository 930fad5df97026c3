/**
 * The generators themselves, without any service: valid records from the contract pass the
 * contract's validators (so acceptance is really exercised), hostile ones mostly do not, and
 * the materializer traces every assigned id to the record index the collector will answer about.
 */
import t from 'tap';
import fc from 'fast-check';
import { EVENT_TYPES, createValidators } from '@recstream/schemas';
import { validEvent, validItem } from './contract-arbitraries.js';
import { collectorInput, eventRecord, servingInput } from './hostile-inputs.js';
import { toJsonText } from './json-text.js';
import { materialize, type Keys } from './materialize.js';

const SEED = 42;
const validators = createValidators();
const now = Date.now();
const keys: Keys = {
  write: 'rk_w',
  browserWrite: 'rk_b',
  revokedWrite: 'rk_r',
  read: 'rs_r',
  revokedRead: 'rs_x',
};
const withId = (record: Record<string, unknown>, field: string) =>
  JSON.parse(toJsonText({ ...record, [field]: 'id-1' }, now)) as unknown;

t.test('valid events from the contract pass its validator', (t) => {
  for (const type of EVENT_TYPES) {
    for (const event of fc.sample(validEvent(type), { seed: SEED, numRuns: 200 })) {
      const verdict = validators.validateEvent(withId(event, 'event_id'));
      if (!verdict.ok)
        t.fail(`${type}: ${JSON.stringify(verdict.problems)} in ${toJsonText(event, now).slice(0, 500)}`);
    }
  }
  t.pass('1,400 events checked');
  t.end();
});

t.test('valid items from the contract pass its validator', (t) => {
  for (const item of fc.sample(validItem, { seed: SEED, numRuns: 300 })) {
    const verdict = validators.validateItem(withId(item, 'item_id'));
    if (!verdict.ok) t.fail(`${JSON.stringify(verdict.problems)} in ${toJsonText(item, now).slice(0, 500)}`);
  }
  t.pass('300 items checked');
  t.end();
});

t.test('the event records mix valid and invalid ones', (t) => {
  let valid = 0;
  const records = fc.sample(eventRecord, { seed: SEED, numRuns: 1000 });
  for (const record of records) {
    const text = toJsonText(record, now);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text.replace('"\\u0000assigned"', '"id-1"'));
    } catch {
      continue; // not JSON at all (NaN, +1, ...)
    }
    if (validators.validateEvent(parsed).ok) valid += 1;
  }
  t.ok(valid > 300 && valid < 800, `${valid} of 1000 valid`);
  t.end();
});

t.test('every assigned id is traced to its record index', (t) => {
  let traced = 0;
  const inputs = fc.sample(collectorInput, { seed: SEED, numRuns: 400 });
  inputs.forEach((input, n) => {
    const request = materialize(input, n, keys, now);
    const ids = request.records.flatMap((r) => (r === undefined ? [] : [r.id]));
    t.equal(new Set(ids).size, ids.length, `input ${n}: ids are unique`);
    traced += ids.length;
  });
  t.ok(traced > 400, `${traced} records traced in 400 inputs`);
  const servings = fc.sample(servingInput, { seed: SEED, numRuns: 100 });
  for (const [n, input] of servings.entries()) t.same(materialize(input, n, keys, now).records, []);
  t.end();
});

t.test('an NDJSON body is numbered as the collector numbers it: non-blank lines', (t) => {
  const request = materialize(
    {
      target: 'collector',
      method: 'POST',
      path: '/v1/events',
      key: 'valid',
      contentType: 'application/x-ndjson',
      encoding: 'identity',
      headers: {},
      chunked: false,
      body: {
        kind: 'records',
        framing: 'ndjson',
        lineEnd: '\n\n',
        records: [
          { event_id: '\u0000assigned', type: 'view', user_id: 'u', item_id: 'i' },
          'junk',
          { event_id: '\u0000assigned', type: 'view', user_id: 'u', item_id: 'i' },
        ],
      },
    },
    7,
    keys,
    now,
  );
  t.same(request.records, [{ kind: 'event', id: 'e7.0' }, undefined, { kind: 'event', id: 'e7.2' }]);
  t.equal(
    request.body?.toString(),
    '{"event_id":"e7.0","type":"view","user_id":"u","item_id":"i"}\n\n"junk"\n\n{"event_id":"e7.2","type":"view","user_id":"u","item_id":"i"}\n\n',
  );
  t.end();
});
