/**
 * The feature service's popularity writer against the real local Redis: an event id is applied
 * once however often it is delivered, and the sorted set never grows past its memory bound.
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
  const update = (eventId: string, itemId: string, weight = 1) => ({
    eventId,
    contributions: [{ itemId, logContribution: logContribution(weight, now) }],
  });

  t.equal(await writer.apply([update('e1', 'a'), update('e2', 'a'), update('e3', 'b', 5)]), 3);
  t.equal(await writer.apply([update('e1', 'a'), update('e3', 'b', 5)]), 0, 'redeliveries are not applied');
  const top = await readTopPopular(redis, ns.redisPrefix, 10, now);
  t.same(
    top.map((i) => [i.itemId, Math.round(i.score * 1000) / 1000]),
    [
      ['b', 5],
      ['a', 2],
    ],
    'weights add up exactly once',
  );

  await writer.apply([update('e4', 'c', 3), update('e5', 'd', 0.5), update('e6', 'e', 4)]);
  const key = featureKeys(ns.redisPrefix).itemPopularity();
  t.equal(await redis.zcard(key), 3, 'trimmed to the bound');
  t.same(await redis.zrevrange(key, 0, -1), ['b', 'e', 'c'], 'the least popular were dropped');
  const stored = Number(await redis.zscore(key, 'b'));
  t.equal(Math.round(currentCount(stored, now) * 1000) / 1000, 5, 'survivors keep their scores');
});
