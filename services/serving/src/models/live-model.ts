/**
 * The version of the sequence model this process serves, and how it changes:
 * - at startup the registry's live version is loaded, verified and warmed (`loadLive`);
 * - when a version is announced (Kafka, or a registry poll) it is loaded and warmed in the
 *   background while the current one keeps serving, then swapped in with one assignment; requests
 *   that began on the old one finish on it (it holds no tensors: see served-model.ts);
 * - loads run one at a time and the newest request wins: a version announced while another loads
 *   is loaded next, and a loaded version already superseded is dropped without serving;
 * - a version that is missing, corrupt or fails its warm-up is refused (logged, counted) and the
 *   current one keeps serving. Nothing here throws at a caller: without a model, rankers fall
 *   back to the blended order and say so.
 *
 * Encoding is memoised per request: the pipeline hands the same SubjectFeatures object to the
 * candidate source and to the ranker, so one encoding serves both, from the same version.
 */
import { errorMessage } from '@recstream/errors';
import type { SubjectFeatures } from '@recstream/features';
import type { Logger } from '@recstream/logger';
import type { TensorFlow } from '@recstream/models';
import type { ModelMetrics } from './model-metrics.js';
import type { RegistryReader } from '@recstream/model-registry';
import { ServedModel, type ShopperEncoding } from './served-model.js';

export interface LiveModelOptions {
  readonly reader: RegistryReader;
  /** Registry name of the model, e.g. `sasrec`. */
  readonly model: string;
  /** Native TensorFlow, asked for at the first load (a missing addon is then one more refused load). */
  readonly tf: () => TensorFlow;
  readonly metrics: ModelMetrics;
  readonly logger: Logger;
  /** Without a model, is this process ready? (false: serve the blended order, e.g. a demo before training.) */
  readonly required: boolean;
  /** The nearest-item graph's search expansion (item-index.ts; its default when absent). */
  readonly indexExpansion?: number;
}

export type LiveModelState =
  | { readonly state: 'starting' }
  | { readonly state: 'loading' }
  | { readonly state: 'serving'; readonly label: string }
  | { readonly state: 'missing'; readonly reason: string };

/** What a request's encoding returned, memoised per SubjectFeatures object. */
interface Memo {
  readonly contextItemId: string | undefined;
  readonly result: ShopperEncoding | undefined;
}

export class LiveModel {
  readonly model: string;
  private served: ServedModel | undefined;
  /** The startup load has finished (well or not). */
  private started = false;
  private missingReason = 'no version loaded yet';
  /** The last version refused: polls do not retry it (an announcement does). */
  private refused: string | undefined;
  private wanted: string | undefined;
  private loop: Promise<void> | undefined;
  private readonly memo = new WeakMap<SubjectFeatures, Memo>();
  private closed = false;

  constructor(private readonly options: LiveModelOptions) {
    this.model = options.model;
  }

  /** The version serving now (undefined while none is loaded). */
  get current(): ServedModel | undefined {
    return this.served;
  }

  get status(): LiveModelState {
    if (this.served !== undefined) return { state: 'serving', label: this.served.label };
    if (!this.started) return { state: 'starting' };
    if (this.loop !== undefined) return { state: 'loading' };
    return { state: 'missing', reason: this.missingReason };
  }

  /**
   * Loads the registry's live version: at startup (readiness waits for it), then on each poll.
   * Never throws; failures are logged and counted.
   */
  async loadLive(): Promise<void> {
    try {
      let version: string | undefined;
      try {
        version = await this.options.reader.liveVersion(this.model);
      } catch (error) {
        this.refuse(undefined, error);
        return;
      }
      if (version === undefined) {
        const reason = `the registry ${this.options.reader.root} has no live version of ${this.model}`;
        if (this.served === undefined && this.missingReason !== reason) {
          this.missingReason = reason;
          this.options.logger.warn(
            { model: this.model, registry: this.options.reader.root },
            'no live model version in the registry: ranking by blended scores until one is published',
          );
        }
        return;
      }
      if (version === this.refused) return;
      await this.request(version);
    } finally {
      this.started = true;
    }
  }

  /**
   * Loads `version` in the background and swaps it in (resolves when it serves or was refused).
   * Idempotent: the version already serving or already being loaded is not loaded again.
   */
  request(version: string): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.wanted = version;
    this.loop ??= this.run().finally(() => (this.loop = undefined));
    return this.loop;
  }

  /** Readiness: the label serving, or why there is none (thrown when a model is required). */
  readiness(): Promise<string> {
    const status = this.status;
    if (status.state === 'serving') return Promise.resolve(status.label);
    // Not ready before the startup load has had its chance, required or not.
    if (status.state === 'starting') return Promise.reject(new Error(`${this.model} is loading`));
    const why = status.state === 'loading' ? `${this.model} is loading` : status.reason;
    if (this.options.required) return Promise.reject(new Error(`no model: ${why}`));
    return Promise.resolve(`no model (${why}); ranking by blended scores`);
  }

  /**
   * The model's encoding of a shopper (sequence + page item), once per request; undefined when no
   * version serves or the shopper has no interaction with an item the model knows. Throws when
   * encoding fails (the callers fall back).
   */
  encodingFor(subject: SubjectFeatures, contextItemId?: string): ShopperEncoding | undefined {
    const memo = this.memo.get(subject);
    if (memo !== undefined && memo.contextItemId === contextItemId) return memo.result;
    const result = this.encode(subject, contextItemId);
    this.memo.set(subject, { contextItemId, result });
    return result;
  }

  /** Stops loading new versions and drops the current one (its requests in flight finish on it). */
  async close(): Promise<void> {
    this.closed = true;
    this.wanted = undefined;
    await this.loop;
    this.served = undefined;
  }

  private encode(subject: SubjectFeatures, contextItemId?: string): ShopperEncoding | undefined {
    const served = this.served;
    if (served === undefined) return undefined;
    const history = served.historyOf(subject.sequence, contextItemId);
    if (history.length === 0) return undefined;
    const end = this.options.metrics.scoring(this.model);
    try {
      return served.encode(history);
    } finally {
      end();
    }
  }

  private async run(): Promise<void> {
    while (this.wanted !== undefined && !this.closed) {
      const version = this.wanted;
      this.wanted = undefined;
      if (version === this.served?.version) continue;
      let next: ServedModel;
      const startedAt = Date.now();
      try {
        const loaded = await this.options.reader.load(this.model, version, this.options.tf());
        // The first version may use every core to build its index; later ones build beside traffic.
        next = await ServedModel.warm(loaded, {
          indexThreads: this.served === undefined ? 0 : 1,
          ...(this.options.indexExpansion === undefined
            ? {}
            : { indexExpansion: this.options.indexExpansion }),
        });
      } catch (error) {
        this.refuse(version, error);
        continue;
      }
      if ((this.wanted !== undefined && this.wanted !== version) || this.closed) {
        // Announced again while this one loaded: the newer announcement wins.
        this.options.metrics.load(this.model, 'superseded');
        continue;
      }
      const previous = this.served;
      this.served = next; // the swap: requests from here on start on `next`
      this.options.metrics.load(this.model, 'loaded');
      this.refused = undefined;
      this.options.metrics.swapped(this.model, previous?.version, version);
      this.options.metrics.indexRecall(this.model, next.recall);
      this.options.logger.info(
        {
          model: this.model,
          version,
          previous: previous?.version,
          loadMs: Date.now() - startedAt,
          items: next.numItems,
          index: next.approximateIndex ? 'hnsw' : 'exact',
          indexRecallAt20: next.recall,
        },
        'model version serving',
      );
    }
  }

  private refuse(version: string | undefined, error: unknown): void {
    this.options.metrics.load(this.model, 'failed');
    this.refused = version;
    const reason = errorMessage(error);
    if (this.served === undefined) this.missingReason = reason;
    this.options.logger.error(
      { model: this.model, version, serving: this.served?.version ?? null, err: error },
      this.served === undefined
        ? 'model version refused: no model serves, ranking by blended scores'
        : 'model version refused: the current version keeps serving',
    );
  }
}
