import { readFile } from 'node:fs/promises';
import { datasetError } from './dataset-error.js';

/** A dataset file's text, or a clear error naming the path (and the folder option) when it is missing. */
export async function readDatasetFile(path: string, encoding: 'utf8' | 'latin1'): Promise<string> {
  try {
    return await readFile(path, encoding);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'cannot be read';
    throw datasetError(path, `${reason} (is the dataset folder right?)`, undefined, error);
  }
}

/** Non-empty lines with their 1-based line numbers; tolerates CRLF and a trailing newline. */
export function* lines(text: string): Generator<[line: string, lineNumber: number]> {
  const all = text.split('\n');
  for (let index = 0; index < all.length; index += 1) {
    const line = (all[index] ?? '').replace(/\r$/, '');
    if (line.trim() !== '') yield [line, index + 1];
  }
}
