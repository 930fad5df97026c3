/**
 * The secret of an access key (ingest's write keys, serving's API keys): a kind's prefix (`rk_`,
 * `rs_`) followed by 32 random bytes in base64url (43 characters). It is shown once, at creation;
 * only its SHA-256 is kept. A plain, unsalted, fast hash is right here, unlike for passwords: slow
 * or salted hashes (bcrypt, scrypt, argon2) exist to stop dictionary and brute-force guessing of
 * low-entropy secrets that people choose. A 256-bit random key has no dictionary, and guessing it
 * is 2^256 work however fast the hash. A deterministic hash also lets a service find a key's record
 * by direct lookup, and costs about a microsecond per request instead of the tens of milliseconds
 * that a password hash is designed to take.
 */
import { createHash, randomBytes } from 'node:crypto';

const SECRET_BYTES = 32;
const HASH_PATTERN = /^[0-9a-f]{64}$/;
/** Characters of the hash shown as a key's public id. */
export const KEY_ID_LENGTH = 8;

/** One kind of key, told apart by its prefix, so a key sent to the wrong service can be named. */
export interface SecretKind {
  readonly prefix: string;
  generate(): string;
  /** The prefix and 43 base64url characters (32 bytes, no padding). */
  isWellFormed(candidate: string): boolean;
}

export function secretKind(prefix: string): SecretKind {
  if (!/^[a-z]{2}_$/.test(prefix)) throw new Error(`a key prefix is two letters and '_', not ${prefix}`);
  const pattern = new RegExp(`^${prefix}[A-Za-z0-9_-]{43}$`);
  return {
    prefix,
    generate: () => prefix + randomBytes(SECRET_BYTES).toString('base64url'),
    isWellFormed: (candidate) => pattern.test(candidate),
  };
}

/** SHA-256 of a key, lowercase hex: what is stored and looked up. */
export function hashSecret(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function isKeyHash(candidate: string): boolean {
  return HASH_PATTERN.test(candidate);
}

/** The public name of a key: safe to print, log and type into a `revoke` command. */
export function keyId(hash: string): string {
  return hash.slice(0, KEY_ID_LENGTH);
}
