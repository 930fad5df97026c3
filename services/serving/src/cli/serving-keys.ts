/**
 * Manages serving's API keys in Redis (composition root: config → Redis → command → exit).
 *
 *   pnpm serving-keys create --name shop-web --scope read --rate 500 [--burst 1000] [--json]
 *   pnpm serving-keys list [--json]
 *   pnpm serving-keys revoke <key-id-or-prefix>
 *
 * Uses REC_REDIS_URL and REC_REDIS_PREFIX, the same variables as the serving instances.
 */
import { Type, loadConfig, redisConfig } from '@recstream/config';
import { errorMessage } from '@recstream/errors';
import { createRedis } from '@recstream/redis';
import { createApiKeyStore } from '../auth/api-key.store.js';
import { runServingKeys } from '../auth/api-keys.commands.js';

async function main(): Promise<number> {
  const err = (line: string): void => void process.stderr.write(`${line}\n`);
  let config;
  try {
    config = loadConfig(Type.Object({ ...redisConfig }), process.env);
  } catch (error) {
    err(`serving-keys: ${errorMessage(error)}`);
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
      `serving-keys: cannot reach Redis at ${config.REC_REDIS_URL}: ${errorMessage(connectionError ?? error)}`,
    );
    return 1;
  }
  try {
    return await runServingKeys(process.argv.slice(2), {
      store: createApiKeyStore(redis, config.REC_REDIS_PREFIX),
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
    process.stderr.write(`serving-keys failed: ${errorMessage(error)}\n`);
    process.exitCode = 1;
  },
);
