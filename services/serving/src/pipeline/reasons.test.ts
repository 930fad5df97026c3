import t from 'tap';
import type { ItemMeta } from '@recstream/features';
import { reasonText } from './reasons.js';

const catalog = new Map<string, ItemMeta>([
  [
    'lip-1',
    {
      itemId: 'lip-1',
      title: 'Velvet Red Lipstick',
      category: 'Beauty > Makeup > Lips',
      categoryPath: ['Beauty', 'Makeup', 'Lips'],
      brand: 'Acme',
      price: 12,
      currency: 'EUR',
      availability: 'in_stock',
    },
  ],
]);

t.test('reasons name the item or category they point at', (t) => {
  t.same(reasonText({ code: 'because_you_viewed', anchorItemId: 'lip-1' }, catalog), {
    code: 'because_you_viewed',
    text: 'Because you viewed Velvet Red Lipstick',
  });
  t.equal(
    reasonText({ code: 'viewed_together', anchorItemId: 'lip-1' }, catalog).text,
    'Often viewed with Velvet Red Lipstick',
  );
  t.equal(
    reasonText({ code: 'bought_together', anchorItemId: 'lip-1' }, catalog).text,
    'Bought together with Velvet Red Lipstick',
  );
  t.equal(
    reasonText({ code: 'popular_in_category', category: 'Beauty > Makeup > Lips' }, catalog).text,
    'Popular in Lips today',
  );
  t.equal(reasonText({ code: 'trending_now' }, catalog).text, 'Trending now');
  t.equal(reasonText({ code: 'popular_now' }, catalog).text, 'Popular now');
  t.equal(reasonText({ code: 'pinned' }, catalog).text, 'Featured');
  t.end();
});

t.test('an anchor without catalog data still gives a sentence, never an id', (t) => {
  const reason = reasonText({ code: 'because_you_viewed', anchorItemId: 'unknown-9' }, catalog);
  t.equal(reason.text, 'Because you viewed a similar item');
  t.notMatch(reason.text, /unknown-9/);
  t.end();
});
