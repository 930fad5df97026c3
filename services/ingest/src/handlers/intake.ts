/**
 * The verdict on a list of incoming event records, shared by the HTTP route and the DLQ replay:
 * each valid record is enriched; each invalid one is listed by index with its problems and kept
 * as received, for the DLQ. Pure: publishing is the caller's step.
 */
import type { ContractValidators, EnrichedEvent, FieldProblem } from '@recstream/schemas';
import type { ParsedRecord } from '../routes/batch-body.js';
import { createEnricher, type EnrichOptions } from './enrich.js';
import type { RefusedRecord } from './event-publisher.js';

export interface RejectedRecord {
  readonly index: number;
  readonly problems: FieldProblem[];
}

export interface EventsVerdict {
  readonly accepted: EnrichedEvent[];
  readonly rejected: RejectedRecord[];
  /** The rejected records as received, with their problems: what gets parked. */
  readonly refused: RefusedRecord[];
}

export function judgeEvents(
  records: readonly ParsedRecord[],
  validators: ContractValidators,
  enrich: EnrichOptions,
): EventsVerdict {
  const verdict: EventsVerdict = { accepted: [], rejected: [], refused: [] };
  const enrichEvent = createEnricher(enrich);
  records.forEach((record, index) => {
    const checked = record.ok ? validators.validateEvent(record.value) : record;
    if (checked.ok) {
      verdict.accepted.push(enrichEvent(checked.value));
      return;
    }
    verdict.rejected.push({ index, problems: checked.problems });
    verdict.refused.push({
      raw: record.ok ? JSON.stringify(record.value) : record.raw,
      problems: checked.problems,
    });
  });
  return verdict;
}
