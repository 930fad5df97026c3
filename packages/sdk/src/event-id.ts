/**
 * Event ids are the dedup key of the whole pipeline (collector, sink, features): a retry must reuse
 * the id and two distinct events must never share one. UUID v4 fits the contract's id alphabet.
 */

interface CryptoLike {
  randomUUID?: () => string;
  getRandomValues?: (array: Uint8Array) => Uint8Array;
}

/**
 * Returns a generator of v4 UUIDs, using the best source the runtime has:
 * `crypto.randomUUID` (Node, browsers in secure contexts); `crypto.getRandomValues` (browsers on
 * plain http, where randomUUID is absent); as a last resort `Math.random`, which is not
 * cryptographic but still has 122 random bits, enough for uniqueness, which is all an id needs.
 */
export function createIdGenerator(
  crypto: CryptoLike | null = (globalThis as { crypto?: CryptoLike }).crypto ?? null,
  random: () => number = Math.random,
): () => string {
  const randomUUID = crypto?.randomUUID;
  if (typeof randomUUID === 'function') return () => randomUUID.call(crypto);
  const getRandomValues = crypto?.getRandomValues;
  if (typeof getRandomValues === 'function') {
    return () => uuidFromBytes(getRandomValues.call(crypto, new Uint8Array(16)));
  }
  return () => {
    const bytes = new Uint8Array(16);
    for (let i = 0; i < bytes.length; i += 1) bytes[i] = Math.floor(random() * 256);
    return uuidFromBytes(bytes);
  };
}

function uuidFromBytes(bytes: Uint8Array): string {
  // RFC 9562 §5.4: version 4 in the high nibble of byte 6, variant 10 in the high bits of byte 8.
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
