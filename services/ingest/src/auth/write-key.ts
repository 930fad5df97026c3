/**
 * Write keys: the secret a source (a shop's web front, its app, a server-side SDK) sends in the
 * `x-write-key` header of every intake request.
 *
 * A key is `rk_` followed by 32 random bytes in base64url (43 characters). It is shown once, at
 * creation; we keep only its SHA-256. A plain, unsalted, fast hash is right here, unlike for
 * passwords: slow or salted hashes (bcrypt, scrypt, argon2) exist to stop dictionary and
 * brute-force guessing of low-entropy secrets that people choose. A 256-bit random key has no
 * dictionary, and guessing it is 2^256 work however fast the hash. A deterministic hash also lets
 * the collector find a key's record by direct lookup, and costs about a microsecond per request
 * instead of the tens of milliseconds that a password hash is designed to take.
 */
import { createHash, randomBytes } from 'node:crypto';

export const WRITE_KEY_PREFIX = 'rk_';
const SECRET_BYTES = 32;
/** 32 bytes are 43 base64url characters (no padding). */
const WRITE_KEY_PATTERN = /^rk_[A-Za-z0-9_-]{43}$/;
const HASH_PATTERN = /^[0-9a-f]{64}$/;
/** Characters of the hash shown as a key's public id. */
export const KEY_ID_LENGTH = 8;

/** Source names end up in every event's `source` field and in Redis key names. */
export const SOURCE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** What is stored about a key; never the key itself. */
export interface WriteKeyRecord {
  /** SHA-256 of the key, lowercase hex. */
  readonly hash: string;
  readonly source: string;
  readonly createdAt: Date;
  readonly revokedAt?: Date;
  readonly limit: RateLimit;
}

export interface RateLimit {
  /** Records (events or items) per second, sustained. */
  readonly ratePerSecond: number;
  /** Records a key may send at once after being idle: the bucket's capacity. */
  readonly burst: number;
}

export function generateWriteKey(): string {
  return WRITE_KEY_PREFIX + randomBytes(SECRET_BYTES).toString('base64url');
}

export function isWellFormedWriteKey(candidate: string): boolean {
  return WRITE_KEY_PATTERN.test(candidate);
}

export function hashWriteKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function isKeyHash(candidate: string): boolean {
  return HASH_PATTERN.test(candidate);
}

/** The public name of a key: safe to print, log and type into `write-keys revoke`. */
export function keyId(hash: string): string {
  return hash.slice(0, KEY_ID_LENGTH);
}

/** Problems with a rate limit, as sentences; empty when it is valid. */
export function rateLimitProblems(limit: RateLimit): string[] {
  const problems: string[] = [];
  if (!Number.isSafeInteger(limit.ratePerSecond) || limit.ratePerSecond < 1)
    problems.push(
      `rate must be a whole number of events per second, at least 1 (got ${limit.ratePerSecond})`,
    );
  if (!Number.isSafeInteger(limit.burst) || limit.burst < 1)
    problems.push(`burst must be a whole number of events, at least 1 (got ${limit.burst})`);
  return problems;
}
