/** The benchmarks' options, read from the environment; a bad value stops the run with its name. */

/** A positive number; `fallback` when unset or empty. */
export function numberFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got ${raw}`);
  return value;
}

/** A positive integer; `fallback` when unset or empty. */
export function integerFromEnv(name: string, fallback: number): number {
  const value = numberFromEnv(name, fallback);
  if (!Number.isInteger(value)) throw new Error(`${name} must be a positive integer, got ${value}`);
  return value;
}

/** Positive numbers (integers with `integers`) separated by commas; an empty value is none. */
export function listFromEnv(name: string, fallback: string, options: { integers?: boolean } = {}): number[] {
  const raw = process.env[name] ?? fallback;
  if (raw.trim() === '') return [];
  const values = raw.split(',').map((v) => Number(v.trim()));
  const valid = (v: number) =>
    (options.integers === true ? Number.isInteger(v) : Number.isFinite(v)) && v > 0;
  if (!values.every(valid)) {
    const what = options.integers === true ? 'integers' : 'numbers';
    throw new Error(`${name} must be positive ${what} separated by commas, got ${raw}`);
  }
  return values;
}

/** One of `choices`; the first when unset. */
export function choiceFromEnv<T extends string>(name: string, choices: readonly T[]): T {
  const raw = process.env[name] ?? choices[0];
  const choice = choices.find((c) => c === raw);
  if (choice === undefined) throw new Error(`${name} must be one of ${choices.join(', ')}, got ${raw}`);
  return choice;
}

/** An integer from `min` to `max` (zero allowed when `min` is 0); `fallback` when unset or empty. */
export function integerInRangeFromEnv(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max)
    throw new Error(`${name} must be an integer from ${min} to ${max}, got ${raw}`);
  return value;
}
