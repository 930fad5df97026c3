import t from 'tap';
import { SuggestionList, complete } from './suggestions.js';

const log = new SuggestionList([
  { text: 'red shoes', weight: 5 },
  { text: 'red lipstick', weight: 9 },
  { text: 'red', weight: 20 },
  { text: 'rain jacket', weight: 9 },
  { text: 'reddish', weight: 1 },
]);

t.test('completions of a prefix, heaviest first, not the prefix itself', (t) => {
  t.same(
    log.complete('red', 10).map((s) => s.text),
    ['red lipstick', 'red shoes', 'reddish'],
  );
  t.same(
    log.complete('r', 2).map((s) => s.text),
    ['red', 'rain jacket'],
    'equal weights in alphabetical order after heavier ones',
  );
  t.same(log.complete('red s', 10), [{ text: 'red shoes', weight: 5 }]);
  t.same(
    log.complete('red ', 10).map((s) => s.text),
    ['red lipstick', 'red shoes'],
    'a trailing space ends the word',
  );
  t.same(log.complete('zz', 10), []);
  t.same(new SuggestionList([]).complete('a', 3), []);
  t.end();
});

t.test('the search log wins; without it, title words complete the last word', (t) => {
  const words = new SuggestionList([
    { text: 'lipstick', weight: 3 },
    { text: 'lip', weight: 1 },
    { text: 'lipliner', weight: 2 },
  ]);
  t.same(complete('red', 5, log, words).source, 'search_log');
  const fromCatalog = complete('red lip', 5, new SuggestionList([]), words);
  t.equal(fromCatalog.source, 'catalog');
  t.same(
    fromCatalog.suggestions.map((s) => s.text),
    ['red lipstick', 'red lipliner'],
  );
  t.same(complete('red ', 5, new SuggestionList([]), words).suggestions, [], 'no word begun');
  t.end();
});
