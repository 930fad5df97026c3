import { ERROR_CODES, PermanentError } from '@recstream/errors';

/** A dataset file that is missing or does not have the documented format, named with its line. */
export function datasetError(file: string, problem: string, line?: number, cause?: unknown): PermanentError {
  const where = line === undefined ? file : `${file}:${line}`;
  return new PermanentError(
    ERROR_CODES.invalidInput,
    `${where}: ${problem}`,
    cause === undefined ? { details: { file } } : { cause, details: { file } },
  );
}
