/**
 * Shoppers with persistent tastes: a Dirichlet preference over top categories, subcategories and
 * brands, a price sensitivity, how often they come back, and whether they log in. The same seed
 * gives the same shoppers, so a user's behaviour is consistent across sessions and runs.
 */
import type { SimCatalog, SimItem } from '../catalog/catalog.generator.js';
import { Rng } from '../random.js';

export interface Shopper {
  readonly index: number;
  readonly userId: string;
  /** Cookie/device id, used when the shopper is not logged in. */
  readonly anonymousId: string;
  /** Probability that a session is logged in: 0 for shoppers without an account. */
  readonly loginRate: number;
  /** Relative frequency of sessions (log-normal: a few shoppers come often). */
  readonly activity: number;
  /** Preference over top categories (sums to 1). */
  readonly categoryTaste: readonly number[];
  /** Preference over each top category's subcategories (each sums to 1). */
  readonly subcategoryTaste: readonly (readonly number[])[];
  /** Multiplier per brand, averaging 1 within a category. */
  readonly brandTaste: ReadonlyMap<string, number>;
  /** Price elasticity: weight falls as (price / median price) ^ -priceSensitivity. */
  readonly priceSensitivity: number;
  /** Scales the chance to add a viewed item to the cart and to check out. */
  readonly buyingMood: number;
  readonly locale: string;
  readonly userAgent: string;
}

export interface ShopperOptions {
  readonly count: number;
  readonly seed: number;
  readonly catalog: SimCatalog;
}

const LOCALES = ['en-US', 'en-US', 'en-US', 'en-GB', 'de-DE', 'fr-FR', 'es-ES', 'nl-NL'] as const;
const USER_AGENTS = [
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Mobile Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
] as const;

export function generateShoppers(options: ShopperOptions): Shopper[] {
  if (!Number.isInteger(options.count) || options.count < 1) throw new Error('need at least one shopper');
  const rng = new Rng(options.seed).fork('shoppers');
  const { categories } = options.catalog;
  const shoppers: Shopper[] = [];
  for (let index = 0; index < options.count; index += 1) {
    const brandTaste = new Map<string, number>();
    for (const category of categories) {
      const weights = rng.dirichlet(category.brands.length, 0.5);
      category.brands.forEach((brand, i) => {
        brandTaste.set(brand, 0.4 + 0.6 * category.brands.length * (weights[i] ?? 0));
      });
    }
    const hasAccount = rng.chance(0.65);
    shoppers.push({
      index,
      userId: `user-${String(index + 1).padStart(6, '0')}`,
      anonymousId: `anon-${rng.hex(16)}`,
      loginRate: hasAccount ? 0.6 + 0.4 * rng.next() : 0,
      activity: rng.logNormal(1, 0.9),
      categoryTaste: rng.dirichlet(categories.length, 0.35),
      subcategoryTaste: categories.map((c) => rng.dirichlet(c.subcategories.length, 0.8)),
      brandTaste,
      priceSensitivity: rng.logNormal(0.8, 0.5),
      buyingMood: rng.logNormal(1, 0.4),
      locale: rng.pick(LOCALES),
      userAgent: rng.pick(USER_AGENTS),
    });
  }
  return shoppers;
}

/** How much this shopper likes this item, before popularity; around 1 for a typical match. */
export function tasteFor(shopper: Shopper, item: SimItem, catalog: SimCatalog): number {
  const median = catalog.categories[item.top]?.subcategories[item.sub]?.medianPrice ?? item.price;
  const category = (shopper.categoryTaste[item.top] ?? 0) * catalog.categories.length;
  const subcategory =
    (shopper.subcategoryTaste[item.top]?.[item.sub] ?? 0) * (shopper.subcategoryTaste[item.top]?.length ?? 1);
  const brand = shopper.brandTaste.get(item.brand) ?? 1;
  const price = (Math.max(item.price, 0.01) / median) ** -shopper.priceSensitivity;
  return category * subcategory * brand * price;
}
