import t from 'tap';
import { logAddExp } from '@recstream/features';
import { aggregateOps } from './aggregate.js';
import type { FeatureOp } from './ops.js';

const zlog = (member: string, logScore: number): FeatureOp => ({
  op: 'zlog',
  key: 'pop',
  member,
  logScore,
  cap: 10,
  ttl: 0,
});

const covis = (item: string, timeMs: number, sessionKey = 's'): FeatureOp => ({
  op: 'covis',
  sessionKey,
  item,
  timeMs,
  weight: 1,
  maxGapMs: 1,
  gapTauMs: 1,
  cap: 1,
  ttl: 1,
  sessionCap: 1,
  sessionTtl: 1,
  keyPrefix: 'p',
  keySuffix: 's',
});

t.test('one group per key; additions to one member combined, each kind its own way', (t) => {
  const writes = aggregateOps([
    [zlog('a', 1), { op: 'zmax', key: 'seq', member: 'x', score: 5, cap: 3, ttl: 9 }],
    [zlog('a', 2), zlog('b', 7), { op: 'zmax', key: 'seq', member: 'x', score: 4, cap: 3, ttl: 9 }],
    [
      { op: 'zincr', key: 'cobuy', member: 'y', delta: 1, cap: 5, ttl: 1 },
      { op: 'zincr', key: 'cobuy', member: 'y', delta: 1, cap: 5, ttl: 1 },
      { op: 'hincr', key: 'global', field: 'view', delta: 1, ttl: 0 },
      { op: 'hincr', key: 'global', field: 'view', delta: 3, ttl: 0 },
    ],
  ]);
  t.same(writes.zsets, [
    {
      kind: 'log',
      key: 'pop',
      alias: 0,
      cap: 10,
      ttl: 0,
      members: ['a', 'b'],
      values: [logAddExp(1, 2), 7],
    },
    { kind: 'max', key: 'seq', alias: 0, cap: 3, ttl: 9, members: ['x'], values: [5] },
    { kind: 'add', key: 'cobuy', alias: 0, cap: 5, ttl: 1, members: ['y'], values: [2] },
  ]);
  t.same(writes.hashes, [{ key: 'global', ttl: 0, fields: new Map([['view', 4]]) }]);
  t.end();
});

t.test('set additions become one group per set, each member once', (t) => {
  const mark = (key: string, member: string): FeatureOp => ({ op: 'sadd', key, member });
  const writes = aggregateOps([
    [mark('pending', 'a'), zlog('a', 1)],
    [mark('pending', 'b'), mark('pending', 'a'), mark('other', 'a')],
  ]);
  t.same(
    writes.sets.map((set) => [set.key, [...set.members]]),
    [
      ['pending', ['a', 'b']],
      ['other', ['a']],
    ],
  );
  t.end();
});

t.test('window counts become one count per bucket, per item', (t) => {
  const win = (type: string, bucket: number): FeatureOp => ({
    op: 'win',
    key: 'item:a:win',
    type,
    types: ['view', 'click'],
    buckets: [
      { window: '1h', bucket, keep: 7 },
      { window: '7d', bucket: 100, keep: 8 },
    ],
    ttl: 60,
  });
  const { windows } = aggregateOps([[win('view', 1)], [win('view', 1)], [win('click', 2)]]);
  t.same(windows, [
    {
      key: 'item:a:win',
      types: ['view', 'click'],
      ttl: 60,
      counts: [
        { type: 'view', window: '1h', bucket: 1, keep: 7, count: 2 },
        { type: 'view', window: '7d', bucket: 100, keep: 8, count: 2 },
        { type: 'click', window: '1h', bucket: 2, keep: 7, count: 1 },
        { type: 'click', window: '7d', bucket: 100, keep: 8, count: 1 },
      ],
    },
  ]);
  t.end();
});

t.test('a session keeps its events in order; logins come once per alias; followers name their alias', (t) => {
  const merge: FeatureOp = { op: 'zmerge', key: 'sub:u:seq', from: 'sub:a:seq', mode: 'max', cap: 1, ttl: 1 };
  const follow: FeatureOp = {
    op: 'follow',
    aliasKey: 'alias:a',
    fromPrefix: 'sub:a:',
    toBase: 'sub:',
    count: 1,
    ttl: 7,
  };
  const own: FeatureOp = { op: 'zmax', key: 'sub:a:seq', member: 'm', score: 1, cap: 1, ttl: 1 };
  const writes = aggregateOps([
    [{ op: 'once', key: 'alias:a', value: 'u:1', ttl: 1, skip: 1 }, merge, covis('i', 2)],
    [follow, own, covis('j', 1), covis('k', 3, 'other')],
    [{ op: 'once', key: 'alias:a', value: 'u:2', ttl: 1, skip: 1 }, merge],
    [follow, { ...own, member: 'n' }],
  ]);
  t.same(writes.logins, [
    {
      aliasKey: 'alias:a',
      user: 'u:1',
      ttl: 1,
      merges: [{ to: 'sub:u:seq', from: 'sub:a:seq', mode: 'max', cap: 1, ttl: 1 }],
    },
  ]);
  t.same(writes.aliases, [{ key: 'alias:a', fromPrefix: 'sub:a:', toBase: 'sub:', ttl: 7 }]);
  t.same(writes.zsets, [
    {
      kind: 'max',
      key: 'sub:a:seq',
      alias: 1,
      cap: 1,
      ttl: 1,
      members: ['m', 'n'],
      values: [1, 1],
    },
  ]);
  t.same(
    writes.sessions.map((s) => [s.op.sessionKey, s.events]),
    [
      [
        's',
        [
          ['i', 2, 1],
          ['j', 1, 1],
        ],
      ],
      ['other', [['k', 3, 1]]],
    ],
  );
  t.end();
});

t.test('a write that follows an alias is kept apart from the same key written directly', (t) => {
  const own: FeatureOp = { op: 'zmax', key: 'sub:a:seq', member: 'm', score: 1, cap: 1, ttl: 1 };
  const writes = aggregateOps([
    [own],
    [{ op: 'follow', aliasKey: 'alias:a', fromPrefix: 'sub:a:', toBase: 'sub:', count: 1, ttl: 1 }, own],
  ]);
  t.same(
    writes.zsets.map((z) => z.alias),
    [0, 1],
  );
  t.end();
});

t.test('malformed operation lists are refused', (t) => {
  t.throws(() => aggregateOps([[{ op: 'zmerge', key: 'u', from: 'a', mode: 'max', cap: 1, ttl: 1 }]]), {
    message: 'a merge must follow its login',
  });
  t.throws(
    () =>
      aggregateOps([
        [{ op: 'follow', aliasKey: 'x', fromPrefix: 'a', toBase: 'b', count: 1, ttl: 1 }, covis('i', 1)],
      ]),
    { message: /only a shopper's sorted sets follow an alias/ },
  );
  t.end();
});
