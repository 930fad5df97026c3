/**
 * JSON text as a hostile client writes it. `JSON.stringify` cannot write `1e21`, `-0` or a
 * 30-digit integer the way a client may send them, so generated values can carry `RawJson`
 * (written as is), `Ago` (a date-time relative to the run's clock) and `ASSIGNED_ID` (replaced
 * by a run-unique id before sending, so each record can be traced to ClickHouse).
 */

/** Stands for a run-unique id. Not a valid id itself: a record that kept it would be refused. */
export const ASSIGNED_ID = '\u0000assigned';

/** Text written into the document as is (a number JSON.stringify would rewrite, or invalid JSON). */
export class RawJson {
  constructor(readonly text: string) {}
  toJSON() {
    return { $raw: this.text };
  }
}

/** A date-time `ms` milliseconds before the run's clock (negative: in the future). */
export class Ago {
  constructor(readonly ms: number) {}
  toJSON() {
    return { $ago: this.ms };
  }
}

/** Serializes `value` as JSON text, writing the markers above; `now` is the run's clock. */
export function toJsonText(value: unknown, now: number): string {
  if (value instanceof RawJson) return value.text;
  if (value instanceof Ago) return JSON.stringify(new Date(now - value.ms).toISOString());
  if (Array.isArray(value)) return `[${value.map((v) => toJsonText(v, now)).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const members = Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}:${toJsonText(v, now)}`);
    return `{${members.join(',')}}`;
  }
  // undefined (a property a mutation removed) is written as null inside arrays only.
  return JSON.stringify(value) ?? 'null';
}

/**
 * Replaces the `ASSIGNED_ID` of a record's `field` with `id`; other records are left alone.
 * Returns whether it assigned.
 */
export function assignId(record: unknown, field: string, id: string): boolean {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return false;
  const target = record as Record<string, unknown>;
  if (target[field] !== ASSIGNED_ID) return false;
  target[field] = id;
  return true;
}

/** A deep copy that keeps the markers as they are and own `__proto__` keys as own keys. */
export function cloneJson<T>(value: T): T {
  if (value instanceof RawJson || value instanceof Ago) return value;
  if (Array.isArray(value)) return value.map(cloneJson) as T;
  if (typeof value === 'object' && value !== null) {
    const copy: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) defineOwn(copy, k, cloneJson(v));
    return copy as T;
  }
  return value;
}

/** Sets an own property, even `__proto__`, the way JSON.parse would. */
export function defineOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
