import t from 'tap';
import {
  advanceWatermark,
  coversWatermark,
  mergeWatermarks,
  beyondCondition,
  learnedCondition,
  parseWatermark,
  splitHoldout,
  takeInArrivalOrder,
  watermarkCovers,
  watermarkKey,
  type LogPosition,
} from './watermark.js';

const at = (partition: number, offset: number, receivedMs: number): LogPosition => ({
  partition,
  offset,
  receivedMs,
});

t.test('a batch is merged in arrival order and stays a prefix of every partition', (t) => {
  // Partition 1's offset 7 arrived "before" offset 6 by the clock (two collectors): offsets win.
  const rows = [at(0, 10, 100), at(1, 7, 105), at(0, 11, 300), at(1, 6, 200), at(2, 0, 150), at(0, 12, 400)];
  const all = takeInArrivalOrder(rows, 100);
  t.same(
    all.map((r) => `${r.partition}:${r.offset}`),
    ['0:10', '2:0', '1:6', '1:7', '0:11', '0:12'],
    'offset 7 waits for offset 6 of its partition, then goes by its own arrival time',
  );
  const four = takeInArrivalOrder(rows, 4);
  t.same(
    four.map((r) => `${r.partition}:${r.offset}`),
    ['0:10', '2:0', '1:6', '1:7'],
    'cut at the max batch without skipping offset 6 of partition 1',
  );
  t.throws(() => takeInArrivalOrder(rows, 0), /max batch/);
  t.end();
});

t.test('holding out the newest part keeps both parts exact prefixes', (t) => {
  const batch = takeInArrivalOrder(
    [at(0, 1, 10), at(0, 2, 20), at(1, 5, 15), at(1, 6, 40), at(0, 3, 50)],
    10,
  );
  const { learn, holdout } = splitHoldout(batch, 0.4);
  t.same(
    learn.map((r) => `${r.partition}:${r.offset}`),
    ['0:1', '1:5', '0:2'],
  );
  t.same(
    holdout.map((r) => `${r.partition}:${r.offset}`),
    ['1:6', '0:3'],
  );
  const next = advanceWatermark({ '0': 0, '3': 9 }, learn);
  t.same(next, { '0': 2, '1': 5, '3': 9 }, 'partitions without new events keep their offset');
  t.ok(
    holdout.every((r) => !watermarkCovers(next, r)),
    'the holdout stays beyond the new watermark',
  );
  t.ok(learn.every((r) => watermarkCovers(next, r)));
  t.same(splitHoldout(batch, 0).holdout, []);
  t.throws(() => splitHoldout(batch, 1), /fraction/);
  t.end();
});

t.test('a watermark never moves backwards', (t) => {
  t.same(advanceWatermark({ '0': 50 }, [at(0, 10, 1)]), { '0': 50 });
  t.end();
});

t.test('the SQL conditions select exactly beyond and within the watermark', (t) => {
  t.equal(beyondCondition({}), '(kafka_partition >= 0)');
  t.equal(learnedCondition({}), '0');
  t.equal(
    beyondCondition({ '0': 4, '2': -1 }),
    '((kafka_partition = 0 AND kafka_offset > 4) OR (kafka_partition = 2 AND kafka_offset >  -1) OR (kafka_partition >= 0 AND kafka_partition NOT IN (0, 2)))',
  );
  t.equal(learnedCondition({ '1': 9 }), '((kafka_partition = 1 AND kafka_offset <= 9))');
  t.end();
});

t.test('bad watermarks are refused by name', (t) => {
  t.same(parseWatermark({ '0': 3, '5': -1 }), { '0': 3, '5': -1 });
  t.throws(() => parseWatermark([1]), /expected an object/);
  t.throws(() => parseWatermark({ x: 1 }), /partition "x"/);
  t.throws(() => parseWatermark({ '01': 1 }), /partition "01"/);
  t.throws(() => parseWatermark({ '0': 1.5 }), /offset of partition 0/);
  t.throws(() => parseWatermark({ '0': -2 }), /offset of partition 0/);
  t.end();
});

t.test('comparing and merging watermarks', (t) => {
  t.ok(coversWatermark({ '0': 5, '1': 3 }, { '0': 5 }));
  t.notOk(coversWatermark({ '0': 5 }, { '0': 5, '1': 0 }), 'a partition it never saw');
  t.notOk(coversWatermark({ '0': 4, '1': 9 }, { '0': 5, '1': 3 }));
  t.same(mergeWatermarks({ '0': 4, '1': 9 }, { '0': 5, '2': 1 }), { '0': 5, '1': 9, '2': 1 });
  t.end();
});

t.test('the key of a watermark names what it learned, whatever the order it was built in', (t) => {
  t.equal(watermarkKey({ '10': 7, '2': 40, '0': 3 }), '0:3,2:40,10:7');
  t.equal(watermarkKey({ '2': 40, '0': 3 }), watermarkKey({ '0': 3, '2': 40 }));
  t.not(watermarkKey({ '0': 3 }), watermarkKey({ '0': 4 }));
  t.equal(watermarkKey({}), '');
  t.end();
});
