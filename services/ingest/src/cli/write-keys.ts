/**
 * Manages the collector's write keys in Redis (composition root: config → Redis → command → exit).
 *
 *   pnpm write-keys create --source web --rate 2000 [--burst 4000] [--json]
 *   pnpm write-keys list [--source web] [--json]
 *   pnpm write-keys revoke <key-id-or-prefix>
 *
 * Uses REC_REDIS_URL and REC_REDIS_PREFIX, the same variables as the collector it serves.
 */
import { Type, loadConfig, redisConfig } from '@recstream/config';
import { errorMessage } from '@recstream/errors';
import { createRedis } from '@recstream/redis';
import { createWriteKeyStore } from '../auth/write-key.store.js';
import { runWriteKeys } from '../auth/write-keys.commands.js';

async function main(): Promise<number> {
  const err = (line: string): void => void process.stderr.write(`${line}\n`);
  let config;
  try {
    config = loadConfig(Type.Object({ ...redisConfig }), process.env);
  } catch (error) {
    err(`write-keys: ${errorMessage(error)}`);
    return 2;
  }
  // An operator's command should fail at once when Redis is away, not wait through reconnections.
  const redis = createRedis(config.REC_REDIS_URL, { retryStrategy: () => null, maxRetriesPerRequest: 0 });
  // connect() rejects with a bare "Connection is closed": the socket's own error says why.
  let connectionError: unknown;
  redis.on('error', (error: unknown) => (connectionError = error));
  try {
    await redis.connect();
  } catch (error) {
    err(
      `write-keys: cannot reach Redis at ${config.REC_REDIS_URL}: ${errorMessage(connectionError ?? error)}`,
    );
    return 1;
  }
  try {
    return await runWriteKeys(process.argv.slice(2), {
      store: createWriteKeyStore(redis, config.REC_REDIS_PREFIX),
      out: (line) => void process.stdout.write(`${line}\n`),
      err,
    });
  } finally {
    redis.disconnect();
  }
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    process.stderr.write(`write-keys failed: ${errorMessage(error)}\n`);
    process.exitCode = 1;
  },
);
