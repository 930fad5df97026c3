import t from 'tap';
import { commandCosts, commandStats, usedMemoryOf } from './redis-info.js';

const snapshot = (zadd: number, evalsha: number) =>
  [
    '# Commandstats',
    `cmdstat_zadd:calls=${zadd},usec=${zadd * 2},usec_per_call=2.00,rejected_calls=0,failed_calls=0`,
    `cmdstat_evalsha:calls=${evalsha},usec=${evalsha * 300},usec_per_call=300.00,rejected_calls=0,failed_calls=0`,
    'cmdstat_ping:calls=5,usec=5,usec_per_call=1.00,rejected_calls=0,failed_calls=0',
  ].join('\r\n');

t.test('used_memory from INFO memory', (t) => {
  t.equal(usedMemoryOf('# Memory\r\nused_memory:123456\r\nused_memory_human:120.56K\r\n'), 123456);
  t.throws(() => usedMemoryOf('# Memory\r\n'), /no used_memory/);
  t.end();
});

t.test('command costs between snapshots, shares of the script time', (t) => {
  const before = commandStats(snapshot(100, 10));
  const after = commandStats(snapshot(600, 20));
  t.same(before.get('zadd'), { calls: 100, usec: 200 });
  t.same(commandCosts(before, after, 5), [
    { command: 'evalsha', calls: 10, seconds: 0.003, share: 1 },
    { command: 'zadd', calls: 500, seconds: 0.001, share: 0.333 },
  ]);
  t.same(commandCosts(before, after, 1).length, 1, 'only the top');
  t.same(commandCosts(commandStats(''), commandStats('cmdstat_get:calls=4,usec=40,x'), 3), [
    { command: 'get', calls: 4, seconds: 0, share: 1 },
  ]);
  t.end();
});
