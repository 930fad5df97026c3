/**
 * Manages the collector's write keys in Redis (composition root: @recstream/access-keys'
 * `runKeysCli`, config → Redis → command → exit).
 *
 *   pnpm write-keys create --source web --rate 2000 [--burst 4000] [--json]
 *   pnpm write-keys list [--source web] [--json]
 *   pnpm write-keys revoke <key-id-or-prefix>
 *
 * Uses REC_REDIS_URL and REC_REDIS_PREFIX, the same variables as the collector it serves.
 */
import { runKeysCli } from '@recstream/access-keys';
import { createWriteKeyStore } from '../auth/write-key.store.js';
import { runWriteKeys } from '../auth/write-keys.commands.js';

runKeysCli('write-keys', (redis, prefix, io) =>
  runWriteKeys(process.argv.slice(2), { store: createWriteKeyStore(redis, prefix), ...io }),
);
