import t from 'tap';
import { parseBrokers } from './client.js';

t.test('parseBrokers', (t) => {
  t.same(parseBrokers('127.0.0.1:19092'), ['127.0.0.1:19092'], 'one broker');
  t.same(parseBrokers('k1:9092,k2:9092,k3:9092'), ['k1:9092', 'k2:9092', 'k3:9092'], 'several, in order');
  t.same(
    parseBrokers(' k1:9092 , k2:9092\t,\nk3:9092 '),
    ['k1:9092', 'k2:9092', 'k3:9092'],
    'whitespace around entries is trimmed',
  );
  t.same(
    parseBrokers('k1:9092,,k2:9092,'),
    ['k1:9092', 'k2:9092'],
    'empty entries (double or trailing commas) are dropped',
  );
  t.same(parseBrokers(''), [], 'an empty list has no broker');
  t.same(parseBrokers(' , '), [], 'only separators: no broker');
  t.end();
});
