import t from 'tap';
import { parseUserAgent } from './user-agent.js';

t.test('parseUserAgent', (t) => {
  t.same(
    parseUserAgent(
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
    ),
    { browser: 'Chrome', browser_version: '120.0.0.0', os: 'Windows', device_type: 'desktop' },
  );
  t.same(
    parseUserAgent(
      'Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1',
    )?.device_type,
    'tablet',
  );
  t.equal(
    parseUserAgent('Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)')?.device_type,
    'bot',
  );
  t.equal(parseUserAgent(undefined), undefined);
  t.equal(parseUserAgent('   '), undefined, 'blank');
  t.equal(parseUserAgent('\u0000\u0001 garbage ¯\\_(ツ)_/¯'), undefined, 'nothing recognisable: no device');
  const huge = `Mozilla/5.0 ${'x'.repeat(100_000)}`;
  t.doesNotThrow(() => parseUserAgent(huge), 'a huge agent string does not throw');
  t.end();
});

t.test('parseUserAgent memoises without growing without bound', (t) => {
  const first = parseUserAgent('Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0');
  t.equal(first?.browser, 'Firefox');
  for (let i = 0; i < 25_000; i += 1) parseUserAgent(`agent-${i}`);
  t.same(
    parseUserAgent('Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0'),
    first,
    'still correct after the cache was cleared',
  );
  t.end();
});

t.test('a huge user agent is parsed by its start only', (t) => {
  const start = 'Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0.0.0 ';
  const huge = start + '1.1_1.'.repeat(3000); // 16 KB of version-like text, what regexes work hardest on
  t.same(parseUserAgent(huge), parseUserAgent(huge.slice(0, 512)), 'the same as its first 512 characters');
  t.end();
});
