import t from 'tap';
import type { ItemMeta } from '@recstream/features';
import { affinityOf, DEFAULT_RERANK_WEIGHTS, rerank, tasteOf } from './rerank.js';

const meta = (itemId: string, category: string, brand: string): ItemMeta => ({
  itemId,
  title: itemId,
  category,
  categoryPath: category.split(' > '),
  brand,
  price: 1,
  currency: 'EUR',
  availability: 'in_stock',
});
const lipsAcme = meta('lips-acme', 'Beauty > Lips', 'Acme');
const lipsBloom = meta('lips-bloom', 'Beauty > Lips', 'Bloom');
const eyesAcme = meta('eyes-acme', 'Beauty > Eyes', 'Acme');
const tent = meta('tent', 'Outdoor > Tents', 'Trail');

t.test('affinity: the category, half for a sibling, and the brand, scaled to the strongest', (t) => {
  const taste = tasteOf(
    [
      { name: 'Beauty > Lips', score: 4 },
      { name: 'Outdoor > Tents', score: 2 },
    ],
    [{ name: 'Acme', score: 3 }],
  );
  t.equal(affinityOf(lipsAcme, taste), 0.6 + 0.4);
  t.equal(affinityOf(lipsBloom, taste), 0.6);
  t.equal(affinityOf(eyesAcme, taste), 0.6 * 0.5 + 0.4, 'a sibling of Lips');
  t.equal(affinityOf(tent, taste), 0.6 * 0.5);
  t.equal(affinityOf(tent, tasteOf([], [])), 0);
  t.end();
});

t.test('relevance leads; taste and popularity reorder comparable matches only', (t) => {
  const matches = [
    { meta: lipsAcme, relevance: 10 },
    { meta: lipsBloom, relevance: 10 },
    { meta: tent, relevance: 4 },
  ];
  const popularity = new Map([['lips-bloom', 50]]);
  const anonymous = rerank(matches, popularity, undefined, DEFAULT_RERANK_WEIGHTS);
  t.same(
    anonymous.map((r) => r.meta.itemId),
    ['lips-bloom', 'lips-acme', 'tent'],
  );
  t.equal(anonymous[0]?.score, 1.2, 'rel 1 × (1 + 0.2 · pop 1)');
  t.equal(anonymous[2]?.relevance, 0.4);

  const fan = tasteOf([], [{ name: 'Acme', score: 1 }]);
  t.same(
    rerank(matches, new Map(), fan, DEFAULT_RERANK_WEIGHTS).map((r) => r.meta.itemId),
    ['lips-acme', 'lips-bloom', 'tent'],
  );
  const camper = tasteOf([{ name: 'Outdoor > Tents', score: 1 }], [{ name: 'Trail', score: 1 }]);
  t.equal(
    rerank(matches, new Map(), camper, DEFAULT_RERANK_WEIGHTS).at(-1)?.meta.itemId,
    'tent',
    'a weak match stays below, even for a shopper who loves it',
  );
  t.same(rerank([], new Map(), fan, DEFAULT_RERANK_WEIGHTS), []);
  t.end();
});
