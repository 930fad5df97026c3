import t from 'tap';
import { detectPageEnvironment, watchPageHide } from './page-lifecycle.js';

t.test('no page in Node', (t) => {
  t.equal(detectPageEnvironment(), undefined);
  t.equal(detectPageEnvironment({ document: {}, window: new EventTarget() }), undefined);
  t.end();
});

t.test(
  'a browser scope: listeners on document and window, sendBeacon called on navigator with JSON',
  async (t) => {
    const calls: { self: unknown; url: string; type: string; text: string }[] = [];
    const navigator = {
      sendBeacon(this: unknown, url: string, data: Blob) {
        calls.push({ self: this, url, type: data.type, text: '' });
        void data
          .text()
          .then((text) => (calls[calls.length - 1] = { self: this, url, type: data.type, text }));
        return true;
      },
    };
    const document = Object.assign(new EventTarget(), { visibilityState: 'visible' });
    const page = detectPageEnvironment({ document, window: new EventTarget(), navigator });
    t.ok(page);
    t.equal(page?.sendBeacon?.('https://c.test/v1/events', '[1]'), true);
    await new Promise((resolve) => setImmediate(resolve));
    t.same(calls, [
      { self: navigator, url: 'https://c.test/v1/events', type: 'application/json', text: '[1]' },
    ]);
    t.equal(
      detectPageEnvironment({ document, window: new EventTarget(), navigator: {} })?.sendBeacon,
      undefined,
    );
  },
);

t.test('watchPageHide: hidden and pagehide call back; unsubscribe stops it', (t) => {
  const document = Object.assign(new EventTarget(), { visibilityState: 'visible' });
  const window = new EventTarget();
  let hides = 0;
  const stop = watchPageHide({ document, window }, () => (hides += 1));
  document.dispatchEvent(new Event('visibilitychange'));
  t.equal(hides, 0, 'visible: nothing');
  document.visibilityState = 'hidden';
  document.dispatchEvent(new Event('visibilitychange'));
  window.dispatchEvent(new Event('pagehide'));
  t.equal(hides, 2);
  stop();
  document.dispatchEvent(new Event('visibilitychange'));
  window.dispatchEvent(new Event('pagehide'));
  t.equal(hides, 2);
  t.end();
});
