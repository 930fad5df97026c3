/**
 * Test support for the dataset readers: where the real datasets are, and the checks every replay
 * test makes (order, ids, contract). The datasets live beside the repository, never inside it; a
 * missing folder fails the test with a clear message instead of skipping it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Test } from 'tap';
import { createValidators } from '@recstream/schemas';
import type { ReplayDataset, ReplayEvent } from './replay.dataset.js';

export function sharedDatasetsRoot(): string {
  const root =
    process.env['REC_DATASETS_DIR'] ??
    fileURLToPath(new URL('../../../../../shared/datasets/', import.meta.url));
  if (!existsSync(root)) {
    throw new Error(
      `The real datasets are not at ${root}. They belong beside the repository (../shared/datasets, see its README.md); ` +
        'set REC_DATASETS_DIR to their folder to run these tests elsewhere.',
    );
  }
  return root;
}

export function sharedDataset(folder: string): string {
  const path = join(sharedDatasetsRoot(), folder);
  if (!existsSync(path)) throw new Error(`Dataset folder ${path} is missing from the shared datasets.`);
  return path;
}

export interface ReplayCheck {
  readonly events: ReplayEvent[];
  /** Events out of time order. */
  readonly outOfOrder: number;
  readonly duplicateIds: number;
  /** First few contract violations (with a live timestamp, as the pump sends them). */
  readonly invalid: string[];
  readonly itemsInvalid: string[];
  /** Event item ids missing from the items to send first. */
  readonly itemsMissing: number;
}

export function checkReplay(dataset: ReplayDataset): ReplayCheck {
  const validators = createValidators();
  const events = [...dataset.events()];
  const timestamp = new Date().toISOString();
  const ids = new Set<string>();
  const itemIds = new Set(dataset.items.map((i) => i.item_id));
  const invalid: string[] = [];
  let outOfOrder = 0;
  let itemsMissing = 0;
  events.forEach((e, i) => {
    if (i > 0 && e.originalTsMs < (events[i - 1]?.originalTsMs ?? 0)) outOfOrder += 1;
    ids.add(e.event.event_id);
    const verdict = validators.validateEvent({ ...e.event, timestamp });
    if (!verdict.ok && invalid.length < 3)
      invalid.push(`${e.event.event_id}: ${JSON.stringify(verdict.problems)}`);
    if ('item_id' in e.event && !itemIds.has(e.event.item_id)) itemsMissing += 1;
  });
  const itemsInvalid = dataset.items
    .map((item) => ({ item, verdict: validators.validateItem(item) }))
    .filter((r) => !r.verdict.ok)
    .slice(0, 3)
    .map((r) => r.item.item_id);
  return { events, outOfOrder, duplicateIds: events.length - ids.size, invalid, itemsInvalid, itemsMissing };
}

/** What every replay of a whole file shows: time order, unique ids, valid events and items, no item missing. */
export function assertCleanReplay(t: Test, check: ReplayCheck): void {
  t.equal(check.outOfOrder, 0, 'time-ordered');
  t.equal(check.duplicateIds, 0, 'event ids are unique');
  t.same(check.invalid, [], 'every event satisfies the contract');
  t.same(check.itemsInvalid, [], 'every item satisfies the contract');
  t.equal(check.itemsMissing, 0, 'the catalog covers every replayed item');
}
