/**
 * The simulated shop's event stream: many sessions in progress at once, interleaved the way a
 * shop's traffic is, each shopper in at most one session at a time so their events stay ordered.
 * Optionally, every `trendEveryEvents` events a new item gets a burst of interest.
 *
 * Infinite and deterministic for a seed: the same seed gives the same shoppers doing the same
 * things. Ids of sessions, events, requests and orders also carry the run id, so that a second run
 * is new traffic to the pipeline rather than duplicates of the first.
 */
import type { ClickstreamEvent } from '@recstream/schemas';
import type { SimCatalog, SimItem } from '../catalog/catalog.generator.js';
import { Rng, WeightedSampler } from '../random.js';
import { simulateSession, type SessionIds } from './session.simulator.js';
import type { Shopper } from './shopper.model.js';

export interface ShopTrafficOptions {
  readonly seed: number;
  /** Makes ids unique per run; letters, digits, `_`, `.` and `-` only. */
  readonly runId: string;
  /** Sessions in progress at once; their events interleave. */
  readonly concurrentSessions: number;
  /** A new trending item after every this many events; off when absent. */
  readonly trendEveryEvents?: number | undefined;
  /** Told when a trend starts (for the demo's log). */
  readonly onTrend?: ((item: SimItem) => void) | undefined;
}

interface ActiveSession {
  readonly shopper: number;
  readonly events: readonly ClickstreamEvent[];
  next: number;
}

export const RUN_ID_PATTERN = /^[A-Za-z0-9_.-]{1,40}$/;

export class ShopTraffic implements Iterable<ClickstreamEvent> {
  private readonly mixRng: Rng;
  private readonly sessionRng: Rng;
  private readonly trendRng: Rng;
  private readonly shopperSampler: WeightedSampler;
  private readonly active: ActiveSession[] = [];
  private readonly busy = new Set<number>();
  private readonly ids: SessionIds;
  private readonly trendCandidates: SimItem[];
  private readonly concurrency: number;
  private emitted = 0;
  private trendEpoch = 0;
  private currentTrend: SimItem | undefined = undefined;

  constructor(
    private readonly catalog: SimCatalog,
    private readonly shoppers: readonly Shopper[],
    private readonly options: ShopTrafficOptions,
  ) {
    if (!RUN_ID_PATTERN.test(options.runId)) throw new Error(`run id must match ${RUN_ID_PATTERN.source}`);
    if (!(options.concurrentSessions >= 1)) throw new Error('concurrentSessions must be at least 1');
    if (options.trendEveryEvents !== undefined && !(options.trendEveryEvents >= 1)) {
      throw new Error('trendEveryEvents must be at least 1');
    }
    // At most one session per shopper, so never more sessions than shoppers.
    this.concurrency = Math.min(Math.floor(options.concurrentSessions), shoppers.length);
    const root = new Rng(options.seed).fork('traffic');
    this.mixRng = root.fork('mix');
    this.sessionRng = root.fork('sessions');
    this.trendRng = root.fork('trends');
    this.shopperSampler = new WeightedSampler(shoppers.map((s) => s.activity));
    // Trends favour items that are not already best-sellers, so the change is visible.
    const byPopularity = [...catalog.items]
      .filter((i) => i.buyable)
      .sort((a, b) => b.popularity - a.popularity);
    this.trendCandidates = byPopularity.slice(Math.floor(byPopularity.length / 10));
    if (this.trendCandidates.length === 0) this.trendCandidates = [...catalog.items];
    const counters = { session: 0, event: 0, request: 0, order: 0 };
    const run = options.runId;
    this.ids = {
      session: () => `s-${run}-${(counters.session += 1)}`,
      event: () => `e-${run}-${(counters.event += 1)}`,
      request: () => `r-${run}-${(counters.request += 1)}`,
      order: () => `o-${run}-${(counters.order += 1)}`,
    };
  }

  /** The item currently trending, if any. */
  get trend(): SimItem | undefined {
    return this.currentTrend;
  }

  *[Symbol.iterator](): Iterator<ClickstreamEvent> {
    for (;;) yield this.next();
  }

  next(): ClickstreamEvent {
    this.updateTrend();
    while (this.active.length < this.concurrency) this.startSession();
    for (;;) {
      const slot = Math.floor(this.mixRng.next() * this.active.length);
      const session = this.active[slot] as ActiveSession;
      const event = session.events[session.next];
      session.next += 1;
      if (session.next >= session.events.length) {
        // Swap-remove: order of the pool is irrelevant, picks are random.
        this.active[slot] = this.active[this.active.length - 1] as ActiveSession;
        this.active.pop();
        this.busy.delete(session.shopper);
        this.startSession();
      }
      if (event !== undefined) {
        this.emitted += 1;
        return event;
      }
    }
  }

  private updateTrend(): void {
    const every = this.options.trendEveryEvents;
    if (every === undefined) return;
    const epoch = Math.floor(this.emitted / every);
    if (epoch === this.trendEpoch) return;
    this.trendEpoch = epoch;
    this.currentTrend = this.trendRng.pick(this.trendCandidates);
    this.options.onTrend?.(this.currentTrend);
  }

  private startSession(): void {
    let shopper = this.shopperSampler.sample(this.mixRng);
    // A shopper already mid-session sits this one out: draw again, else take the first free one.
    for (let tries = 0; this.busy.has(shopper) && tries < 20; tries += 1)
      shopper = this.shopperSampler.sample(this.mixRng);
    if (this.busy.has(shopper)) shopper = this.shoppers.findIndex((s) => !this.busy.has(s.index));
    const events = simulateSession(this.shoppers[shopper] as Shopper, {
      catalog: this.catalog,
      rng: this.sessionRng,
      ids: this.ids,
      trend: this.currentTrend,
    });
    this.busy.add(shopper);
    this.active.push({ shopper, events, next: 0 });
  }
}
