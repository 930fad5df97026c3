import t from 'tap';
import { createValidators } from '@recstream/schemas';
import { boundWorkload } from './feature-bound.js';

t.test('the bound workload: valid events, oldest first, one shopper logged in', (t) => {
  const validators = createValidators();
  const workload = boundWorkload(10_000, Date.parse('2026-05-01T12:00:00Z'));
  const refused = workload.events.filter((event) => {
    const {
      schema_version: _version,
      event_time,
      received_at: _received,
      source: _source,
      ...client
    } = event;
    return !validators.validateEvent({ ...client, timestamp: event_time }).ok;
  });
  t.same(refused, [], 'every event valid under the contract');
  const times = workload.events.map((event) => Date.parse(event.event_time));
  t.same(
    times,
    [...times].sort((a, b) => a - b),
    'in time order',
  );
  t.equal(new Set(workload.events.map((event) => event.event_id)).size, workload.events.length, 'ids unique');
  const shopper = workload.events.filter((event) => event.user_id === workload.userId);
  t.ok(
    shopper.every((event) => event.anonymous_id === workload.anonymousId),
    'the shopper logged in on its device',
  );
  t.ok(workload.events.some((event) => event.type === 'view' && event.item_id === workload.itemId));
  t.throws(() => boundWorkload(100, 0), /catalog of at least/);
  t.end();
});
