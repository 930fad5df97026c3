/**
 * Reasons in words. Sources record why they propose an item (which item it goes with, which
 * category it tops); the text is written here, at the end, once the titles are known, so a
 * shopper reads "Because you viewed Red lipstick" and a client can still switch on the code.
 */
import type { ItemMeta } from '@recstream/features';
import type { RecommendationReason } from '@recstream/schemas';
import type { ReasonBasis } from './types.js';

export function reasonText(
  basis: ReasonBasis,
  metaById: ReadonlyMap<string, ItemMeta>,
): RecommendationReason {
  switch (basis.code) {
    case 'because_you_viewed':
      return {
        code: basis.code,
        text: `Because you viewed ${titleOf(basis.anchorItemId, metaById, 'a similar item')}`,
      };
    case 'viewed_together':
      return {
        code: basis.code,
        text: `Often viewed with ${titleOf(basis.anchorItemId, metaById, 'this item')}`,
      };
    case 'bought_together':
      return {
        code: basis.code,
        text: `Bought together with ${titleOf(basis.anchorItemId, metaById, 'an item in your cart')}`,
      };
    case 'popular_in_category':
      return { code: basis.code, text: `Popular in ${leaf(basis.category)} today` };
    case 'new_arrival':
      return { code: basis.code, text: `New in ${leaf(basis.category)}` };
    case 'trending_now':
      return { code: basis.code, text: 'Trending now' };
    case 'popular_now':
      return { code: basis.code, text: 'Popular now' };
    case 'pinned':
      return { code: basis.code, text: 'Featured' };
    case 'picked_for_you':
      return { code: basis.code, text: 'Picked for you' };
  }
}

const titleOf = (itemId: string, metaById: ReadonlyMap<string, ItemMeta>, otherwise: string) =>
  metaById.get(itemId)?.title ?? otherwise;

/** The most specific level of a category path: "Lips" for "Beauty > Makeup > Lips". */
function leaf(category: string): string {
  const levels = category
    .split('>')
    .map((level) => level.trim())
    .filter((level) => level !== '');
  return levels.at(-1) ?? category;
}
