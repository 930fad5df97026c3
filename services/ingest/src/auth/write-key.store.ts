/**
 * The write-key store: @recstream/access-keys' store of the write-key kind (`WRITE_KEYS`), whose
 * `list(source)` lists one source's keys.
 */
import type { Redis } from 'ioredis';
import { createKeyStore, type CreatedKey, type KeyInput, type KeyStore } from '@recstream/access-keys';
import { WRITE_KEYS, type WriteKeyFields, type WriteKeyRecord } from './write-key.js';

export type CreatedWriteKey = CreatedKey<WriteKeyRecord>;
export type WriteKeyInput = KeyInput<WriteKeyFields>;
export type WriteKeyStore = KeyStore<WriteKeyRecord, WriteKeyFields>;

export function createWriteKeyStore(redis: Redis, prefix: string): WriteKeyStore {
  return createKeyStore(redis, prefix, WRITE_KEYS);
}
