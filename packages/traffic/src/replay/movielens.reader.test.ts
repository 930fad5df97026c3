import { join } from 'node:path';
import t from 'tap';
import { MOVIELENS_RATINGS_FILE, readMovieLens, DEFAULT_CART_MIN_RATING } from './movielens.reader.js';
import { assertCleanReplay, checkReplay, sharedDataset } from './replay.test-support.js';

const now = new Date('2025-03-01T12:00:00.000Z');
const file = join(sharedDataset('ml-100k'), MOVIELENS_RATINGS_FILE);

t.test('MovieLens 100K: 100,000 ratings as views, ratings >= 4 also as add_to_cart', async (t) => {
  const dataset = await readMovieLens(file, { now, cartMinRating: DEFAULT_CART_MIN_RATING });
  const check = checkReplay(dataset);
  const views = check.events.filter((e) => e.event.type === 'view');
  const carts = check.events.filter((e) => e.event.type === 'add_to_cart');
  t.equal(dataset.rows, 100_000);
  t.equal(views.length, 100_000, 'one view per rating');
  t.equal(carts.length, 55_375, 'one add_to_cart per rating of 4 or 5');
  assertCleanReplay(t, check);
  t.equal(dataset.items.length, 1_682);
  t.equal(new Set(views.map((e) => e.event.user_id)).size, 943);

  const first = check.events[0];
  t.match(first?.event, {
    event_id: 'ml-u.data-215',
    type: 'view',
    user_id: 'ml-259',
    properties: { dataset: 'ml-100k', original_ts: '1997-09-20T03:05:10.000Z' },
  });
  t.match(first?.event.session_id, /^ml-259-19970920$/);
  const cart = carts[0]?.event;
  t.match(cart, { type: 'add_to_cart', quantity: 1, price: 0, currency: 'USD' });
  t.match(cart?.event_id, /^ml-u\.data-\d+-cart$/);
});

t.test('items carry the Latin-1 titles and the genres as category path', async (t) => {
  const dataset = await readMovieLens(file, { now, cartMinRating: undefined });
  const byId = new Map(dataset.items.map((i) => [i.item_id, i]));
  t.match(byId.get('ml-1'), {
    title: 'Toy Story (1995)',
    category_path: ['Animation', "Children's", 'Comedy'],
    url: /imdb\.com/,
  });
  t.equal(byId.get('ml-543')?.title, 'Misérables, Les (1995)', 'decoded as Latin-1');
  t.equal(byId.get('ml-1633')?.title, 'Á köldum klaka (Cold Fever) (1994)');
  t.same(byId.get('ml-267')?.category_path, ['unknown']);
  t.equal([...dataset.events()].length, 100_000, 'without carts: views only');
});
