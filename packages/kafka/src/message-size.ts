/**
 * Byte bounds for what the producer sends. Kafka refuses a record batch larger than the topic's
 * `max.message.bytes` (1,048,588 bytes by default, measured after compression), and kafkajs puts
 * all of a produce request's messages for one partition into one record batch. An unbounded
 * request therefore fails as a whole when one client sends large records, and with it every other
 * client's send that shares the request. Bounding each request's bytes before compression keeps
 * every batch under the limit whatever the compression achieves (snappy expands incompressible
 * data by at most a few bytes per 64 KiB block; the margin below covers far more).
 */
import type { Message } from 'kafkajs';

/** Bytes of messages (before compression) in one produce request. */
export const MAX_REQUEST_BYTES = 768 * 1024;

/** The largest message the producer accepts: larger ones are refused before any request is built. */
export const MAX_MESSAGE_BYTES = 512 * 1024;

/** A DLQ reason header is for people to read: the first problems say enough. */
export const MAX_DLQ_REASON_BYTES = 1024;

/** Kafka's per-record overhead (length, attributes, deltas, header counts), rounded up. */
const RECORD_OVERHEAD_BYTES = 64;

function byteLength(value: Buffer | string | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'string' ? Buffer.byteLength(value) : value.length;
}

/** A message's size in a record batch before compression: key, value, headers and overhead. */
export function messageBytes(message: Message): number {
  let bytes = RECORD_OVERHEAD_BYTES + byteLength(message.key) + byteLength(message.value);
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    bytes += Buffer.byteLength(name);
    if (Array.isArray(value)) for (const part of value) bytes += byteLength(part);
    else bytes += byteLength(value);
  }
  return bytes;
}

/**
 * At most `maxBytes` of UTF-8 from `text`, cut on a character boundary: for values kept for
 * people to read (DLQ payloads and reasons), where the start says what the record was.
 */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  const cut = Buffer.from(text).subarray(0, maxBytes).toString('utf8');
  // A multi-byte character cut in half decodes to U+FFFD at the end: drop it.
  return cut.endsWith('\uFFFD') ? cut.slice(0, -1) : cut;
}
