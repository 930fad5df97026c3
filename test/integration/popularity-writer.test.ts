/**
 * The feature service's popularity writer against the real local Redis: an event id is applied
 * once however it is delivered again (redelivery, client retry), across partitions, and the sorted
 * set never grows past its memory bound.
 */
import t from 'tap';
import { createPopularityWriter } from '@recstream/feature/popularity-writer';
import { currentCount, featureKeys, logContribution, readTopPopular } from '@recstream/features';
import { createRedis } from '@recstream/redis';
import { deleteTestKeys, infra, testNamespace } from '@recstream/testing';

const ns = testNamespace('popwriter');

t.test('popularity writer on real Redis', async (t) => {
  const redis = createRedis(infra.redisUrl);
  await redis.connect();
  t.teardown(async () => {
    await deleteTestKeys(ns);
    redis.disconnect();
  });
  const now = Date.now();
  const writer = createPopularityWriter(redis, ns.redisPrefix, 3);
  const update = (eventId: string, offset: number, itemId: string, weight = 1) => ({
    eventId,
    offset: String(offset),
    contributions: [{ itemId, logContribution: logContribution(weight, now) }],
  });
  const p0 = 'events/0';
  const p1 = 'events/1';

  t.equal(
    await writer.apply(p0, [update('e1', 10, 'a'), update('e2', 11, 'a'), update('e3', 12, 'b', 5)]),
    3,
  );
  t.equal(
    await writer.apply(p0, [update('e1', 10, 'a'), update('e3', 12, 'b', 5)]),
    0,
    'a redelivery (offsets at or below the watermark) is not applied',
  );
  t.equal(
    await writer.apply(p0, [update('e2', 13, 'a')]),
    0,
    "a client retry's second copy (same event id, a new offset) is not applied",
  );
  t.equal(
    await writer.apply(p1, [update('e7', 5, 'a')]),
    1,
    'another partition has its own watermark: lower offsets there are new events',
  );
  t.same(
    await redis.hgetall(featureKeys(ns.redisPrefix).appliedOffsets()),
    { [p0]: '13', [p1]: '5' },
    'one watermark per partition, at its last offset',
  );
  const top = await readTopPopular(redis, ns.redisPrefix, 10, now);
  t.same(
    top.map((i) => [i.itemId, Math.round(i.score * 1000) / 1000]),
    [
      ['b', 5],
      ['a', 3],
    ],
    'weights add up exactly once',
  );
  // Markers expire; the watermark still stops a late redelivery of old offsets.
  await redis.del(featureKeys(ns.redisPrefix).seenEvent('e1'));
  t.equal(await writer.apply(p0, [update('e1', 10, 'a')]), 0, 'redelivery is stopped by the watermark alone');

  const many = Array.from({ length: 1200 }, (_, i) => update(`bulk-${i}`, 100 + i, 'z', 0.001));
  t.equal(await writer.apply(p0, many), 1200, 'a batch larger than one script is applied in chunks');
  t.equal(await writer.apply(p0, many), 0, 'and redelivered whole, nothing changes');

  await writer.apply(p0, [
    update('e4', 2000, 'c', 3),
    update('e5', 2001, 'd', 0.5),
    update('e6', 2002, 'e', 4),
  ]);
  const key = featureKeys(ns.redisPrefix).itemPopularity();
  t.equal(await redis.zcard(key), 3, 'trimmed to the bound');
  t.same(await redis.zrevrange(key, 0, -1), ['b', 'e', 'c'], 'the least popular were dropped');
  const stored = Number(await redis.zscore(key, 'b'));
  t.equal(Math.round(currentCount(stored, now) * 1000) / 1000, 5, 'survivors keep their scores');
});
