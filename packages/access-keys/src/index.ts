/**
 * What ingest's write keys and serving's API keys share. Each service keeps what is its own: the
 * record's fields and index (a write key belongs to a source; an API key has a name and a scope),
 * the Redis key layout, and the wording of its command.
 */
export { KEY_ID_LENGTH, hashSecret, isKeyHash, keyId, secretKind, type SecretKind } from './secret.js';
export { rateLimitProblems, type RateLimit } from './rate-limit.js';
export {
  REVOKED_KEY_RETENTION_S,
  createKeyRecords,
  type KeyRecordBase,
  type KeyRecords,
  type KeyRecordsOptions,
  type ReferenceCandidate,
} from './key-records.js';
export {
  describeKey,
  keysCommand,
  positiveInt,
  printKeys,
  type KeyColumn,
  type KeysCommand,
  type KeysCommandIo,
} from './keys-command.js';
export { runKeysCli, type KeysCli } from './keys-cli.js';
