/**
 * Access keys, of every kind (ingest's write keys, serving's API keys): the secret's
 * construction, one store, one cached lookup, one rate limiter and one key-management command,
 * parameterised by the kind (`AccessKeyKind`, `KeysCommandSpec`). Each service keeps what is its
 * own: its kind's fields (a write key's source, kind and scopes; an API key's name and scope) and
 * the guard of its routes.
 */
export {
  cacheLookup as cacheKeyLookup,
  type Lookup as KeyLookup,
  type LookupCacheOptions,
} from '@recstream/redis';
export type { RateLimiter, RateVerdict } from '@recstream/redis';
export { KEY_ID_LENGTH, hashSecret, isKeyHash, keyId, secretKind, type SecretKind } from './secret.js';
export { rateLimitProblems, type RateLimit } from './rate-limit.js';
export {
  REVOKED_KEY_RETENTION_S,
  createKeyStore,
  type AccessKeyKind,
  type AccessKeyLayout,
  type CreatedKey,
  type KeyInput,
  type KeyRecordBase,
  type KeyStore,
} from './key-store.js';
export { createKeyRateLimiter } from './key-limiter.js';
export {
  describeKey,
  keysCommand,
  positiveInt,
  printKeys,
  runKeysCommand,
  type KeyColumn,
  type KeysCommand,
  type KeysCommandDeps,
  type KeysCommandIo,
  type KeysCommandSpec,
} from './keys-command.js';
export { runKeysCli, type KeysCli } from './keys-cli.js';
