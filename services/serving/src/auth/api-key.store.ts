/** The API-key store: @recstream/access-keys' store of the API-key kind (`API_KEYS`). */
import type { Redis } from 'ioredis';
import { createKeyStore, type CreatedKey, type KeyStore } from '@recstream/access-keys';
import { API_KEYS, type ApiKeyFields, type ApiKeyRecord } from './api-key.js';

export type CreatedApiKey = CreatedKey<ApiKeyRecord>;
export type ApiKeyStore = KeyStore<ApiKeyRecord, ApiKeyFields>;

export function createApiKeyStore(redis: Redis, prefix: string): ApiKeyStore {
  return createKeyStore(redis, prefix, API_KEYS);
}
