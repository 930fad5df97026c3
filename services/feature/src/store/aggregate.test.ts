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

t.test('additions to one member are combined, each kind its own way', (t) => {
  const ops = aggregateOps([
    [zlog('a', 1), { op: 'zmax', key: 'seq', member: 'x', score: 5, cap: 3, ttl: 9 }],
    [zlog('a', 2), zlog('b', 7), { op: 'zmax', key: 'seq', member: 'x', score: 4, cap: 3, ttl: 9 }],
    [
      { op: 'zincr', key: 'cobuy', member: 'y', delta: 1, cap: 5, ttl: 1 },
      { op: 'zincr', key: 'cobuy', member: 'y', delta: 1, cap: 5, ttl: 1 },
      { op: 'hincr', key: 'global', field: 'view', delta: 1, ttl: 0 },
      { op: 'hincr', key: 'global', field: 'view', delta: 3, ttl: 0 },
    ],
  ]);
  t.same(ops, [
    { ...zlog('a', logAddExp(1, 2)) },
    { op: 'zmax', key: 'seq', member: 'x', score: 5, cap: 3, ttl: 9 },
    zlog('b', 7),
    { op: 'zincr', key: 'cobuy', member: 'y', delta: 2, cap: 5, ttl: 1 },
    { op: 'hincr', key: 'global', field: 'view', delta: 4, ttl: 0 },
  ]);
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
  const [wins] = aggregateOps([[win('view', 1)], [win('view', 1)], [win('click', 2)]]);
  t.same(wins, {
    op: 'wins',
    key: 'item:a:win',
    types: ['view', 'click'],
    ttl: 60,
    counts: [
      { type: 'view', window: '1h', bucket: 1, keep: 7, count: 2 },
      { type: 'view', window: '7d', bucket: 100, keep: 8, count: 2 },
      { type: 'click', window: '1h', bucket: 2, keep: 7, count: 1 },
      { type: 'click', window: '7d', bucket: 100, keep: 8, count: 1 },
    ],
  });
  t.end();
});

t.test('ops that read state keep their order, guards with the ops they govern', (t) => {
  const merge: FeatureOp = { op: 'zmerge', key: 'u', from: 'a', mode: 'max', cap: 1, ttl: 1 };
  const guardedWrite: FeatureOp = { op: 'zmax', key: 'sub:a:seq', member: 'm', score: 1, cap: 1, ttl: 1 };
  const covis: FeatureOp = {
    op: 'covis',
    sessionKey: 's',
    item: 'i',
    timeMs: 1,
    weight: 1,
    maxGapMs: 1,
    gapTauMs: 1,
    cap: 1,
    ttl: 1,
    sessionCap: 1,
    sessionTtl: 1,
    keyPrefix: 'p',
    keySuffix: 's',
  };
  const ops = aggregateOps([
    [{ op: 'once', key: 'alias', value: 'u', ttl: 1, skip: 1 }, merge, zlog('a', 1)],
    [
      { op: 'follow', aliasKey: 'alias', fromPrefix: 'sub:a:', toBase: 'sub:', count: 1, ttl: 1 },
      guardedWrite,
      covis,
    ],
  ]);
  t.same(
    ops.map((op) => op.op),
    ['zlog', 'once', 'zmerge', 'follow', 'zmax', 'covis'],
    'the aggregated first, then every order-sensitive op as it came',
  );
  t.same(ops[4], guardedWrite, 'a guarded write is not merged with others');
  t.end();
});
