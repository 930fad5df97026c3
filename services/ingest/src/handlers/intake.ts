/**
 * The verdict on a list of incoming records, shared by the HTTP routes and the DLQ replay: each
 * valid record is accepted (an event enriched); each invalid one is listed by index with its
 * problems and kept as received, for the DLQ. Pure: publishing is the caller's step.
 */
import type {
  CatalogItem,
  ContractValidators,
  EnrichedEvent,
  FieldProblem,
  Verdict,
} from '@recstream/schemas';
import type { ParsedRecord } from '../routes/batch-body.js';
import { createEnricher, type EnrichOptions } from './enrich.js';
import type { RefusedRecord } from './event-publisher.js';

/**
 * Problems reported per refused record. A record with thousands of unknown keys would otherwise
 * echo thousands of problems in the answer and in its DLQ reason: the first ones say enough.
 */
export const MAX_PROBLEMS_PER_RECORD = 20;

export function capProblems(problems: FieldProblem[]): FieldProblem[] {
  if (problems.length <= MAX_PROBLEMS_PER_RECORD) return problems;
  return [
    ...problems.slice(0, MAX_PROBLEMS_PER_RECORD),
    { field: '/', reason: `and ${problems.length - MAX_PROBLEMS_PER_RECORD} more problems` },
  ];
}

/**
 * A refused record as kept for the DLQ. JSON.stringify recurses, and a body nested ten thousand
 * levels deep (which JSON.parse takes) would overflow the stack: such a record is kept as a note.
 */
export function refusedRaw(record: ParsedRecord): string {
  if (!record.ok) return record.raw;
  try {
    return JSON.stringify(record.value);
  } catch {
    return '"(record nested too deeply to keep)"';
  }
}

export interface RejectedRecord {
  readonly index: number;
  readonly problems: FieldProblem[];
}

export interface RecordsVerdict<T> {
  readonly accepted: T[];
  readonly rejected: RejectedRecord[];
  /** The rejected records as received, with their problems: what gets parked. */
  readonly refused: RefusedRecord[];
}

export type EventsVerdict = RecordsVerdict<EnrichedEvent>;

/** Each valid record (as `accept` makes it) is accepted; each invalid one rejected and refused. */
export function judgeRecords<T, R>(
  records: readonly ParsedRecord[],
  validate: (value: unknown) => Verdict<T>,
  accept: (value: T) => R,
): RecordsVerdict<R> {
  const verdict: RecordsVerdict<R> = { accepted: [], rejected: [], refused: [] };
  records.forEach((record, index) => {
    const checked = record.ok ? validate(record.value) : record;
    if (checked.ok) {
      verdict.accepted.push(accept(checked.value));
      return;
    }
    const problems = capProblems(checked.problems);
    verdict.rejected.push({ index, problems });
    verdict.refused.push({ raw: refusedRaw(record), problems });
  });
  return verdict;
}

export function judgeEvents(
  records: readonly ParsedRecord[],
  validators: ContractValidators,
  enrich: EnrichOptions,
): EventsVerdict {
  return judgeRecords(records, (value) => validators.validateEvent(value), createEnricher(enrich));
}

/** Valid items are accepted as they are. */
export function judgeItems(
  records: readonly ParsedRecord[],
  validators: ContractValidators,
): RecordsVerdict<CatalogItem> {
  return judgeRecords(
    records,
    (value) => validators.validateItem(value),
    (item) => item,
  );
}
