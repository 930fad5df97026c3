import t from 'tap';
import type { ClickstreamEvent } from '@recstream/schemas';
import { createEnricher, eventTime, type EnrichOptions } from './enrich.js';

const enrichEvent = (event: ClickstreamEvent, options: EnrichOptions) => createEnricher(options)(event);

const receivedAt = new Date('2026-05-01T12:00:00.000Z');
const clock = { maxFutureSkewMs: 5 * 60 * 1000, maxPastAgeMs: 7 * 24 * 3600 * 1000 };

t.test('eventTime trusts the client clock within bounds', (t) => {
  const kept = (iso: string) => ({ time: new Date(iso) });
  const received = (correction?: 'too_old' | 'future_skew') => ({
    time: receivedAt,
    ...(correction === undefined ? {} : { correction }),
  });
  const cases: [timestamp: string | undefined, expected: object, why: string][] = [
    [undefined, received(), 'no client time: the receive time, not a correction'],
    ['2026-05-01T11:00:00Z', kept('2026-05-01T11:00:00Z'), 'a past time is kept'],
    [
      '2026-04-24T12:00:00Z',
      kept('2026-04-24T12:00:00Z'),
      'exactly the oldest allowed age: kept (late, offline clients)',
    ],
    ['2026-04-24T11:59:59.999Z', received('too_old'), 'one millisecond older: the receive time, flagged'],
    ['1970-01-01T00:00:00Z', received('too_old'), 'ancient: flagged'],
    ['2026-05-01T12:05:00Z', kept('2026-05-01T12:05:00Z'), 'exactly the skew: kept'],
    [
      '2026-05-01T12:05:00.001Z',
      received('future_skew'),
      'one millisecond beyond the skew: the receive time, flagged',
    ],
    ['2999-12-31T23:59:59Z', received('future_skew'), 'far future'],
    ['2026-05-01T14:00:00+02:00', kept('2026-05-01T12:00:00Z'), 'offsets are honoured'],
    ['not a date', received(), 'unreadable (the validator refuses it first): receive time'],
  ];
  for (const [timestamp, expected, why] of cases)
    t.same(eventTime(timestamp, receivedAt, clock), expected, why);
  t.same(
    eventTime('2026-05-01T12:00:01Z', receivedAt, { ...clock, maxFutureSkewMs: 0 }),
    received('future_skew'),
    'zero skew allowed: any future time is replaced',
  );
  t.end();
});

t.test('the enricher adds the server fields and keeps the event', (t) => {
  const event: ClickstreamEvent = {
    type: 'view',
    event_id: 'e1',
    user_id: 'u1',
    item_id: 'sku-1',
    timestamp: '2026-05-01T11:59:00+00:00',
  };
  const enriched = enrichEvent(event, { ...clock, receivedAt, source: 'shop-a' });
  t.same(enriched, {
    ...event,
    schema_version: 1,
    received_at: '2026-05-01T12:00:00.000Z',
    event_time: '2026-05-01T11:59:00.000Z',
    source: 'shop-a',
  });
  t.equal(enriched.timestamp, event.timestamp, 'the client time is kept as sent');
  const future = enrichEvent(
    { ...event, timestamp: '2030-01-01T00:00:00Z' },
    { ...clock, receivedAt, source: 's' },
  );
  t.equal(future.event_time, receivedAt.toISOString(), 'a clock far ahead is corrected');
  t.equal(future.time_correction, 'future_skew', 'and the correction is recorded');
  t.equal(future.timestamp, '2030-01-01T00:00:00Z', 'but what the client said is not rewritten');
  const ancient = enrichEvent(
    { ...event, timestamp: '2001-01-01T00:00:00Z' },
    { ...clock, receivedAt, source: 's' },
  );
  t.equal(ancient.event_time, receivedAt.toISOString(), 'an ancient time is corrected');
  t.equal(ancient.time_correction, 'too_old');
  const { timestamp: _ts, ...untimed } = event;
  t.equal(enrichEvent(untimed, { ...clock, receivedAt, source: 's' }).event_time, receivedAt.toISOString());
  t.end();
});

t.test('the enricher parses the user agent and keeps only the network of the caller', (t) => {
  const event: ClickstreamEvent = { type: 'view', event_id: 'e2', anonymous_id: 'a1', item_id: 'sku-1' };
  const iphone =
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1';
  const fromBrowser = enrichEvent(event, {
    ...clock,
    receivedAt,
    source: 's',
    clientIp: '203.0.113.77',
    userAgent: iphone,
  });
  t.same(fromBrowser.device, {
    browser: 'Safari',
    browser_version: '17.0',
    os: 'iOS',
    device_type: 'mobile',
  });
  t.equal(fromBrowser.ip_prefix, '203.0.113.0/24', 'the address itself is never kept');
  t.notMatch(JSON.stringify(fromBrowser), /203\.0\.113\.77/, 'nowhere in the enriched event');

  const serverSide = enrichEvent(
    {
      ...event,
      context: { user_agent: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)' },
    },
    { ...clock, receivedAt, source: 's', clientIp: '10.1.2.3', userAgent: 'node-fetch/1.0' },
  );
  t.equal(serverSide.device?.device_type, 'bot', "the shopper's agent in the event wins over the sender's");
  t.equal(serverSide.device?.browser, 'Googlebot');

  const bare = enrichEvent(event, { ...clock, receivedAt, source: 's', userAgent: '', clientIp: 'garbage' });
  t.notOk('device' in bare, 'no user agent: no device');
  t.notOk('ip_prefix' in bare, 'no readable address: no prefix');
  t.end();
});
