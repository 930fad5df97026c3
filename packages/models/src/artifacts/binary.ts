/** Typed arrays to and from the little-endian bytes of weight files. */
import { endianness } from 'node:os';
import { createHash } from 'node:crypto';

export const BYTE_ORDER = 'little';

/** Weight files are raw little-endian arrays; a big-endian host would misread them silently. */
export function assertLittleEndianHost(): void {
  if (endianness() !== 'LE')
    throw new Error('model artifacts: weight files are little-endian and this host is not');
}

export function bytesOf(values: Float32Array | Float64Array | Int32Array): Buffer {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength);
}

/** Copies (so the result is aligned whatever the buffer's offset). */
export function float32From(bytes: Uint8Array): Float32Array {
  const out = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(out.buffer).set(bytes.subarray(0, out.byteLength));
  return out;
}

export function float64From(bytes: Uint8Array): Float64Array {
  const out = new Float64Array(bytes.byteLength / 8);
  new Uint8Array(out.buffer).set(bytes.subarray(0, out.byteLength));
  return out;
}

export function int32From(bytes: Uint8Array): Int32Array {
  const out = new Int32Array(bytes.byteLength / 4);
  new Uint8Array(out.buffer).set(bytes.subarray(0, out.byteLength));
  return out;
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
