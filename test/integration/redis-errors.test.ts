/**
 * The Redis client that @recstream/redis builds classifies its own failures, against the real
 * local Redis: what a caller catches from a command, a pipeline, a script or a dead connection is
 * already a PermanentError or a TransientError (the driver's error kept as the cause), so no caller
 * classifies by hand.
 */
import t from 'tap';
import { PermanentError, TransientError } from '@recstream/errors';
import { createRedis, luaScript } from '@recstream/redis';
import { deleteTestKeys, infra, testNamespace } from '@recstream/testing';

const ns = testNamespace('rediserrors');

t.teardown(() => deleteTestKeys(ns));

t.test('an error reply is permanent, from a command, a pipeline and a script', async (t) => {
  const redis = createRedis(infra.redisUrl);
  await redis.connect();
  t.teardown(() => redis.disconnect());
  const key = `${ns.redisPrefix}:a-string`;
  await redis.set(key, 'x');

  const fromCommand = await redis.hget(key, 'f').catch((error: unknown) => error);
  t.type(fromCommand, PermanentError, 'a command');
  t.match((fromCommand as Error).message, /WRONGTYPE/);
  t.equal(((fromCommand as Error).cause as Error).name, 'ReplyError', 'the driver error is the cause');

  const replies = await redis.pipeline().get(key).hget(key, 'f').exec();
  t.equal(replies?.[0]?.[1], 'x', 'the pipeline answers the other command');
  t.type(replies?.[1]?.[0], PermanentError, 'a pipelined command');

  const fromScript = await redis
    .eval("return redis.call('HGET', KEYS[1], 'f')", 1, key)
    .catch((e: unknown) => e);
  t.type(fromScript, PermanentError, 'a script');
  redis.defineCommand('recTestFails', { numberOfKeys: 1, lua: "return redis.call('HGET', KEYS[1], 'f')" });
  const fromDefined = await (redis as unknown as { recTestFails(key: string): Promise<unknown> })
    .recTestFails(key)
    .catch((e: unknown) => e);
  t.type(fromDefined, PermanentError, 'a defined command (EVALSHA, then EVAL after NOSCRIPT)');
});

t.test('a script read with luaScript runs as written', async (t) => {
  const redis = createRedis(infra.redisUrl);
  await redis.connect();
  t.teardown(() => redis.disconnect());
  const release = luaScript(
    new URL('../../services/trainer/src/jobs/model-lock-release.lua', import.meta.url),
  );
  const key = `${ns.redisPrefix}:lock`;
  await redis.set(key, 'mine');
  t.equal(await redis.eval(release, 1, key, 'theirs'), 0, 'not the owner: kept');
  t.equal(await redis.eval(release, 1, key, 'mine'), 1, 'the owner: released');
});

t.test('a connection that fails under a command is transient', async (t) => {
  const down = createRedis('redis://127.0.0.1:1', { retryStrategy: () => null, maxRetriesPerRequest: 0 });
  down.on('error', () => undefined);
  t.teardown(() => down.disconnect());
  const failure = await down.get('anything').catch((error: unknown) => error);
  t.type(failure, TransientError);
  t.ok((failure as TransientError).cause !== undefined, 'the driver error is the cause');
});
