/**
 * Manages the collector's write keys in Redis (composition root: @recstream/access-keys'
 * `runKeysCli`, config → Redis → command → exit).
 *
 *   pnpm write-keys create --kind browser --source web --rate 2000 [--burst 4000] [--json]
 *   pnpm write-keys create --kind server --scope catalog --source catalog-feed --rate 500
 *   pnpm write-keys create --kind server --scope events,catalog --source backend --rate 5000
 *   pnpm write-keys list [--source web] [--json]
 *   pnpm write-keys revoke <key-id-or-prefix>
 *
 * `--kind` is required: a browser key is public, sends events only and is limited per client as
 * well; a server key is held by a backend. `--scope` (events, catalog, or both; default events)
 * says what the key may send; only server keys can have `catalog`.
 *
 * Uses REC_REDIS_URL and REC_REDIS_PREFIX, the same variables as the collector it serves.
 */
import { runKeysCli } from '@recstream/access-keys';
import { createWriteKeyStore } from '../auth/write-key.store.js';
import { runWriteKeys } from '../auth/write-keys.commands.js';

runKeysCli('write-keys', (redis, prefix, io) =>
  runWriteKeys(process.argv.slice(2), { store: createWriteKeyStore(redis, prefix), ...io }),
);
