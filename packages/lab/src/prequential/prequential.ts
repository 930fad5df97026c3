/**
 * Prequential evaluation in process: replay a time-ordered stream after an initial model and, for
 * each event, score it with the live model *before* that model learns it. Two arms see the same
 * cases:
 *   - online: a copy of the initial model that learns the stream with the trainer's own
 *     incremental step (`updateSequenceModel`) whenever the cadence is due — every N events or T
 *     ms of event time, whichever first — from the events since its last update;
 *   - frozen: the initial model, never updated.
 * Between two updates the online model does not change, so the cases of that stretch are scored
 * together after it (in batches), by the model that was live while they happened.
 *
 * After each update the online model is rebuilt from its snapshot, as the trainer reloads a
 * version from its artifact: the dense layers' Adam moments restart and the sparse tables keep
 * theirs, exactly as between two incremental jobs. What this harness leaves out of the trainer
 * is I/O (ClickHouse, the registry) and the guardrail's held-out share: the online arm learns
 * every event at its next update and is always live.
 */
import {
  createRandom,
  ItemIndex,
  SequenceRecommender,
  SparseEmbeddingTable,
  updateSequenceModel,
  type IncrementalUpdateSummary,
  type TensorFlow,
  type UpdateSequence,
} from '@recstream/models';
import {
  historiesOf,
  invalidStream,
  walkStream,
  type PrequentialCase,
  type StreamEvent,
} from './prequential-cases.js';
import { emptyScores, scoreCases, type CaseScores } from './score-cases.js';

/** When the online arm learns: after `everyEvents` new events or `everyMs` of event time, whichever first. */
export interface UpdateCadence {
  readonly everyEvents?: number | undefined;
  readonly everyMs?: number | undefined;
}

export interface PrequentialOptions {
  readonly cadence: UpdateCadence;
  /** Passes over each update's events (the trainer's REC_TRAIN_EPOCHS). */
  readonly epochs: number;
  /** Older shoppers replayed beside each update's events (REC_TRAIN_REPLAY_USERS). */
  readonly replayUsers: number;
  readonly seed: number;
  /** Cut-off of HR@K / NDCG@K; 10 unless given. */
  readonly k?: number | undefined;
  /** Called after each scored stretch with the stream positions done. */
  readonly onProgress?: ((done: number, total: number, updates: number) => void) | undefined;
}

export interface PrequentialInput {
  readonly tf: TensorFlow;
  /** The model trained on `prefix`. Never modified: the online arm learns a copy. */
  readonly initial: SequenceRecommender;
  /** The initial model's id map (dense index → item id). */
  readonly itemIds: readonly string[];
  /** The events the initial model learned, in time order: the shoppers' starting histories. */
  readonly prefix: readonly StreamEvent[];
  /** The events to replay, in time order. */
  readonly stream: readonly StreamEvent[];
}

export interface UpdateRecord extends IncrementalUpdateSummary {
  /** Stream position of the first event scored after this update. */
  readonly atPosition: number;
  readonly events: number;
  readonly replayUsers: number;
}

export interface PrequentialResult {
  readonly k: number;
  readonly cases: readonly PrequentialCase[];
  readonly online: CaseScores;
  readonly frozen: CaseScores;
  readonly updates: readonly UpdateRecord[];
  readonly streamEvents: number;
}

function checkCadence(cadence: UpdateCadence): void {
  const { everyEvents, everyMs } = cadence;
  if (everyEvents === undefined && everyMs === undefined)
    throw invalidStream('the cadence needs everyEvents, everyMs or both');
  if (everyEvents !== undefined && (!Number.isInteger(everyEvents) || everyEvents < 1))
    throw invalidStream(`cadence everyEvents must be a positive integer, got ${everyEvents}`);
  if (everyMs !== undefined && (!Number.isFinite(everyMs) || everyMs <= 0))
    throw invalidStream(`cadence everyMs must be a positive number, got ${everyMs}`);
}

/** A model rebuilt from the state an artifact keeps (tables with their Adam slots, dense weights). */
export function reloadModel(tf: TensorFlow, model: SequenceRecommender): SequenceRecommender {
  return new SequenceRecommender(tf, {
    hyper: model.hyper,
    catalog: model.catalogue,
    seed: model.seed,
    itemTable: SparseEmbeddingTable.fromSnapshot(model.itemTable.snapshot()),
    attributeTable: SparseEmbeddingTable.fromSnapshot(model.attributeTable.snapshot()),
    dense: model.denseValues(),
  });
}

/**
 * The update's sequences, as the incremental job builds them from the log: per shopper (in first
 * arrival order), their learned history before the new events (its last `maxLength` items) as
 * context and the new items to learn; plus a seeded sample of other known shoppers' recent
 * sequences (`maxLength + 1` items, all targets) as the replay against forgetting.
 */
export function updateSequences(
  pending: readonly StreamEvent[],
  histories: ReadonlyMap<string, readonly string[]>,
  maxLength: number,
  replayUsers: number,
  seed: number,
): { sequences: UpdateSequence[]; replay: UpdateSequence[] } {
  const learnOf = new Map<string, string[]>();
  for (const event of pending) {
    const list = learnOf.get(event.user);
    if (list === undefined) learnOf.set(event.user, [event.item]);
    else list.push(event.item);
  }
  // `histories` already holds the pending items at their end: the context is what comes before.
  const sequences = [...learnOf].map(([user, learn]) => {
    const history = histories.get(user) ?? [];
    return { context: history.slice(0, history.length - learn.length).slice(-maxLength), learn };
  });
  const others = [...histories.keys()].filter((user) => !learnOf.has(user));
  const sample = createRandom(seed).shuffle(others).slice(0, replayUsers);
  const replay = sample.map((user) => ({
    context: [],
    learn: (histories.get(user) ?? []).slice(-(maxLength + 1)),
  }));
  return { sequences, replay };
}

export async function runPrequential(
  input: PrequentialInput,
  options: PrequentialOptions,
): Promise<PrequentialResult> {
  checkCadence(options.cadence);
  const k = options.k ?? 10;
  const { tf, initial } = input;
  if (input.itemIds.length !== initial.numItems)
    throw invalidStream(
      `the id map has ${input.itemIds.length} items, the initial model ${initial.numItems}`,
    );
  if (input.stream.length === 0) throw invalidStream('the stream is empty');
  const maxLength = initial.hyper.maxLength;
  const histories = historiesOf(input.prefix);
  const { everyEvents, everyMs } = options.cadence;

  const cases: PrequentialCase[] = [];
  // Scores are written per stretch into arrays that grow with the cases.
  let online = emptyScores(0);
  let frozen = emptyScores(0);
  const frozenIndex = new ItemIndex(input.itemIds);
  const onlineIndex = new ItemIndex(input.itemIds);
  let model = reloadModel(tf, initial);
  const updates: UpdateRecord[] = [];
  let scored = 0;
  const scoreStretch = async (position: number): Promise<void> => {
    const stretch = cases.slice(scored);
    online = grown(online, cases.length);
    frozen = grown(frozen, cases.length);
    await scoreCases(model, onlineIndex, stretch, k, online, scored);
    await scoreCases(initial, frozenIndex, stretch, k, frozen, scored);
    scored = cases.length;
    options.onProgress?.(position, input.stream.length, updates.length);
  };

  try {
    let pending: StreamEvent[] = [];
    let sinceMs = input.stream[0]?.timeMs ?? 0;
    for (const { event, position, evalCase } of walkStream(input.stream, histories, maxLength)) {
      const due =
        pending.length > 0 &&
        ((everyEvents !== undefined && pending.length >= everyEvents) ||
          (everyMs !== undefined && event.timeMs - sinceMs >= everyMs));
      if (due) {
        // Everything before this event was predicted by the current model; now it learns them.
        await scoreStretch(position);
        const n = updates.length;
        const { sequences, replay } = updateSequences(
          pending,
          histories,
          maxLength,
          options.replayUsers,
          options.seed + n,
        );
        const summary = updateSequenceModel(model, onlineIndex, sequences, replay, {
          epochs: options.epochs,
          seed: options.seed + n,
        });
        const reloaded = reloadModel(tf, model);
        model.dispose();
        model = reloaded;
        updates.push({
          ...summary,
          atPosition: position,
          events: pending.length,
          replayUsers: replay.length,
        });
        pending = [];
        sinceMs = event.timeMs;
      }
      if (evalCase !== undefined) cases.push(evalCase);
      pending.push(event);
    }
    await scoreStretch(input.stream.length);
  } finally {
    model.dispose();
  }
  const trim = (scores: CaseScores): CaseScores => ({
    hit: scores.hit.subarray(0, cases.length),
    ndcg: scores.ndcg.subarray(0, cases.length),
    unknownTarget: scores.unknownTarget.subarray(0, cases.length),
  });
  return { k, cases, online: trim(online), frozen: trim(frozen), updates, streamEvents: input.stream.length };
}

/** `scores` with room for `size` cases (doubling, so growing stays linear overall). */
function grown(scores: CaseScores, size: number): CaseScores {
  if (scores.hit.length >= size) return scores;
  const capacity = Math.max(size, scores.hit.length * 2);
  const next = emptyScores(capacity);
  next.hit.set(scores.hit);
  next.ndcg.set(scores.ndcg);
  next.unknownTarget.set(scores.unknownTarget);
  return next;
}
