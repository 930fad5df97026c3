/**
 * Builds the simulated shop's catalog from a seed: a category tree, brands, log-normal prices per
 * subcategory, titles and descriptions from word lists, mostly in-stock availability, and a
 * long-tailed popularity that shoppers' choices are weighted by.
 */
import type { Availability, CatalogItem } from '@recstream/schemas';
import { Rng, WeightedSampler } from '../random.js';
import {
  COLORS,
  SHOP_CATEGORIES,
  VARIANTS,
  type CategorySpec,
  type SubcategorySpec,
} from './shop.vocabulary.js';

export interface SimItem {
  /** Position in `SimCatalog.items`. */
  readonly index: number;
  readonly item: CatalogItem;
  readonly top: number;
  readonly sub: number;
  readonly brand: string;
  /** Title words shoppers search with. */
  readonly adjective: string;
  readonly noun: string;
  readonly price: number;
  /** Relative, long-tailed: a few items draw much of the interest. */
  readonly popularity: number;
  /** Can be put in a cart (in stock or on preorder). */
  readonly buyable: boolean;
  /** Words a search can match: title, brand, category names. */
  readonly tokens: readonly string[];
}

export interface SimCatalog {
  readonly items: readonly SimItem[];
  readonly categories: readonly CategorySpec[];
  /** Items by top category, then subcategory. */
  readonly byCategory: readonly (readonly (readonly SimItem[])[])[];
  /** Draws an item by popularity over the whole catalog. */
  readonly popularity: WeightedSampler;
  /** Items whose tokens include every token of the query, most popular first. */
  search(query: string): SimItem[];
}

export interface CatalogOptions {
  readonly items: number;
  readonly seed: number;
  /** Wall clock for `updated_at` and `created_at`; injected so tests are reproducible. */
  readonly now: Date;
}

export const CURRENCY = 'USD';
const DAY_MS = 24 * 60 * 60 * 1000;
/** Zipf exponent of popularity by (random) rank: the long tail. */
const POPULARITY_EXPONENT = 0.85;

export function tokenize(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word.length > 0);
}

function titleCase(text: string): string {
  return text.replace(/(^|[\s-])([a-z])/g, (_m, sep: string, ch: string) => sep + ch.toUpperCase());
}

/** Shop-style prices: 19.99, 4.49, 129.00 -> 128.99. */
function shopPrice(raw: number): number {
  if (raw >= 20) return Math.max(1, Math.round(raw)) - 0.01;
  return Math.max(0.99, Math.round(raw * 2) / 2 - 0.01);
}

function drawAvailability(rng: Rng): Availability {
  const roll = rng.next();
  if (roll < 0.92) return 'in_stock';
  if (roll < 0.96) return 'out_of_stock';
  if (roll < 0.985) return 'preorder';
  return 'discontinued';
}

function describe(rng: Rng, brand: string, adjective: string, noun: string, sub: SubcategorySpec): string {
  const [first, second] = rng.shuffle(sub.features);
  const closing = rng.pick([
    'Free returns within 30 days.',
    'A customer favourite.',
    'Ships in recyclable packaging.',
    'Backed by a two-year warranty.',
    'New this season.',
  ]);
  return `A ${adjective} ${noun} from ${brand} with ${first ?? 'a great design'} and ${second ?? 'lasting quality'}. ${closing}`;
}

export function generateCatalog(options: CatalogOptions): SimCatalog {
  if (!Number.isInteger(options.items) || options.items < 1)
    throw new Error('catalog needs at least one item');
  const rng = new Rng(options.seed).fork('catalog');
  const categories = SHOP_CATEGORIES;
  const nowMs = options.now.getTime();
  const updatedAt = options.now.toISOString();

  // Some categories and brands are bigger than others.
  const topWeights = categories.map(() => rng.logNormal(1, 0.35));
  const brandWeights = categories.map((c) => c.brands.map((_b, i) => 1 / (i + 1)));
  const ranks = rng.shuffle(Array.from({ length: options.items }, (_v, i) => i));

  const items: SimItem[] = [];
  const byCategory: SimItem[][][] = categories.map((c) => c.subcategories.map(() => []));
  for (let index = 0; index < options.items; index += 1) {
    const top = rng.weightedIndex(topWeights);
    const category = categories[top] as CategorySpec;
    const sub = rng.int(0, category.subcategories.length - 1);
    const subcategory = category.subcategories[sub] as SubcategorySpec;
    const brand = category.brands[rng.weightedIndex(brandWeights[top] ?? [])] as string;
    const adjective = rng.pick(category.adjectives);
    const noun = rng.pick(subcategory.nouns);
    const variant = rng.chance(0.6) ? ` ${rng.pick(VARIANTS)}` : '';
    const title = `${brand} ${titleCase(adjective)} ${titleCase(noun)}${variant}`;
    const price = shopPrice(rng.logNormal(subcategory.medianPrice, 0.45));
    const availability = drawAvailability(rng);
    const itemId = `sku-${String(index + 1).padStart(5, '0')}`;
    const attributes: Record<string, string | number> = {
      rating: Math.round((3 + rng.next() * 2) * 10) / 10,
      review_count: rng.geometric(0.01),
    };
    if (rng.chance(0.6)) attributes['color'] = rng.pick(COLORS);

    const item: CatalogItem = {
      item_id: itemId,
      title,
      description: describe(rng, brand, adjective, noun, subcategory),
      category_path: [category.name, subcategory.name],
      brand,
      price,
      currency: CURRENCY,
      availability,
      attributes,
      url: `https://shop.example.com/p/${itemId}`,
      image_url: `https://img.shop.example.com/${itemId}.jpg`,
      created_at: new Date(nowMs - rng.int(1, 720) * DAY_MS).toISOString(),
      updated_at: updatedAt,
    };
    const simItem: SimItem = {
      index,
      item,
      top,
      sub,
      brand,
      adjective,
      noun,
      price,
      popularity: 1 / ((ranks[index] ?? 0) + 1) ** POPULARITY_EXPONENT,
      buyable: availability === 'in_stock' || availability === 'preorder',
      tokens: [...new Set(tokenize(`${title} ${brand} ${category.name} ${subcategory.name}`))],
    };
    items.push(simItem);
    byCategory[top]?.[sub]?.push(simItem);
  }

  const postings = new Map<string, number[]>();
  for (const simItem of items) {
    for (const token of simItem.tokens) {
      const list = postings.get(token);
      if (list === undefined) postings.set(token, [simItem.index]);
      else list.push(simItem.index);
    }
  }

  return {
    items,
    categories,
    byCategory,
    popularity: new WeightedSampler(items.map((i) => i.popularity)),
    search(query) {
      const tokens = tokenize(query);
      if (tokens.length === 0) return [];
      const lists = tokens.map((token) => postings.get(token) ?? []).sort((a, b) => a.length - b.length);
      const [shortest, ...rest] = lists;
      const others = rest.map((list) => new Set(list));
      return (shortest ?? [])
        .filter((index) => others.every((set) => set.has(index)))
        .map((index) => items[index] as SimItem)
        .sort((a, b) => b.popularity - a.popularity || a.index - b.index);
    },
  };
}
