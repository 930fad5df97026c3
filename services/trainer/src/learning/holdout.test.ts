import t from 'tap';
import { ItemIndex, type ScoreQuery } from '@recstream/models';
import type { LogEvent } from '../data/event-log.reader.js';
import { evaluateHoldout, holdoutCases } from './holdout.js';

const event = (user: string, items: string[], eventMs: number): LogEvent => ({
  eventId: `${user}-${eventMs}`,
  type: 'view',
  user,
  items,
  eventMs,
  partition: 0,
  offset: eventMs,
  receivedMs: eventMs,
});

t.test('cases: one per held-out event, history up to it, targets the items not seen before', (t) => {
  const histories = new Map([
    ['u1', [event('u1', ['a'], 1), event('u1', ['b'], 2)]],
    ['u2', [event('u2', ['a'], 1)]],
  ]);
  const cases = holdoutCases(histories, [
    event('u1', ['b', 'c'], 3),
    event('u2', ['a'], 4), // only a repeat: nothing to predict
    event('u1', ['c', 'd', 'd'], 5), // c was seen at 3: only d is new
    event('u3', ['a'], 6), // no history: nothing to predict from…
    event('u3', ['e'], 7), // …but its first held-out event is history for the next
  ]);
  t.same(cases, [
    { user: 'u1', history: ['a', 'b'], targets: ['c'] },
    { user: 'u1', history: ['a', 'b', 'b', 'c'], targets: ['d'] },
    { user: 'u3', history: ['a'], targets: ['e'] },
  ]);
  t.end();
});

t.test('a burst of one shopper gives a case per event, so a busy window can be judged', (t) => {
  const histories = new Map([['u1', [event('u1', ['m0'], 0)]]]);
  const burst = Array.from({ length: 30 }, (_, i) => event('u1', [`m${i + 1}`], i + 1));
  const cases = holdoutCases(histories, burst);
  t.equal(cases.length, 30, 'thirty events, thirty cases');
  t.same(cases[29]?.history.length, 30, 'the last case sees the 29 held-out events before it');
  t.end();
});

t.test('HR@10 and NDCG@10 over a full ranking, history masked, unknown targets missed', async (t) => {
  // 12 items; the fake model scores item i as 12 - i, so the ranking is 0, 1, 2, … whatever the history.
  const index = new ItemIndex(Array.from({ length: 12 }, (_, i) => `i${i}`));
  const model = {
    numItems: 12,
    scoreAll: (queries: readonly ScoreQuery[]) =>
      Promise.resolve(Float32Array.from({ length: queries.length * 12 }, (_, k) => 12 - (k % 12))),
  };
  const metrics = await evaluateHoldout(model, index, [
    // i0 masked, so i1 is ranked first: DCG 1, ideal 1.
    { user: 'a', history: ['i0'], targets: ['i1'] },
    // i11 ranked 11th after masking nothing but i0: outside the top 10.
    { user: 'b', history: ['i0'], targets: ['i11'] },
    // i3 at rank 3 (i1, i2, i3); the unknown target counts in the ideal DCG.
    { user: 'c', history: ['i0'], targets: ['i3', 'never-seen'] },
    // A history the model knows nothing of: a miss, not an error.
    { user: 'd', history: ['unknown'], targets: ['i1'] },
  ]);
  t.equal(metrics.cases, 4);
  t.equal(metrics.hr10, 2 / 4);
  const c = 1 / Math.log2(4) / (1 + 1 / Math.log2(3));
  t.ok(Math.abs(metrics.ndcg10 - (1 + c) / 4) < 1e-12, `ndcg ${metrics.ndcg10}`);
  t.same(await evaluateHoldout(model, index, []), { cases: 0, hr10: 0, ndcg10: 0 });
  t.end();
});
