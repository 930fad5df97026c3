/**
 * Manages serving's API keys in Redis (composition root: @recstream/access-keys' `runKeysCli`,
 * config → Redis → command → exit).
 *
 *   pnpm serving-keys create --name shop-web --scope read --rate 500 [--burst 1000] [--json]
 *   pnpm serving-keys list [--json]
 *   pnpm serving-keys revoke <key-id-or-prefix>
 *
 * Uses REC_REDIS_URL and REC_REDIS_PREFIX, the same variables as the serving instances.
 */
import { runKeysCli } from '@recstream/access-keys';
import { createApiKeyStore } from '../auth/api-key.store.js';
import { runServingKeys } from '../auth/api-keys.commands.js';

runKeysCli('serving-keys', (redis, prefix, io) =>
  runServingKeys(process.argv.slice(2), { store: createApiKeyStore(redis, prefix), ...io }),
);
