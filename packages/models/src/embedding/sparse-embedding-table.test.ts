import t from 'tap';
import { PermanentError } from '@recstream/errors';
import { SparseEmbeddingTable, type SparseEmbeddingTableOptions } from './sparse-embedding-table.js';

const adam = { kind: 'adam', learningRate: 0.01 } as const;

function table(overrides: Partial<SparseEmbeddingTableOptions> = {}): SparseEmbeddingTable {
  return new SparseEmbeddingTable({ dim: 4, optimizer: adam, seed: 7, initStd: 0.1, ...overrides });
}

t.test(
  'ids of either kind are admitted at any time, with an initial vector that depends only on (seed, id)',
  (t) => {
    const a = table({ initialCapacity: 2 });
    const b = table({ initialCapacity: 1000 });
    a.admitAll(['x', 1, 'y', 2, 'z']);
    b.admitAll(['z', 2, 'y', 1, 'x']);
    t.equal(a.size, 5);
    t.ok(a.capacity >= 5, 'grew past its initial capacity');
    for (const id of ['x', 1, 'y', 2, 'z'])
      t.same(a.vector(id), b.vector(id), `same start for ${id} whatever the order`);
    t.notSame(a.vector(1), a.vector('1'), 'number 1 and string "1" are different ids');
    t.notSame(
      a.vector('x'),
      table({ seed: 8 }).admit('x') === 0 ? table({ seed: 8 }).vector('x') : undefined,
    );
    const before = a.vector('x');
    a.admitAll(Array.from({ length: 100 }, (_, i) => `new-${i}`));
    t.same(a.vector('x'), before, 'growth keeps existing rows');
    t.equal(a.admit('x'), a.rowOf('x'), 'admitting a known id returns its row');
    t.end();
  },
);

t.test('applyGradients updates only the given rows and matches Adam on each', (t) => {
  const store = table({ dim: 2 });
  const rows = store.admitAll(['a', 'b', 'c']);
  const untouched = store.vector('c');
  const start = store.vector('a') ?? new Float32Array(2);
  store.applyGradients([rows[0] ?? 0, rows[1] ?? 0], Float32Array.from([0.5, -2, 1, 1]));
  t.same(store.vector('c'), untouched, 'row c was not in the batch');
  // Adam's first step moves each coordinate by -lr * sign(g) (up to epsilon).
  const after = store.vector('a') ?? new Float32Array(2);
  t.ok(Math.abs((after[0] ?? 0) - ((start[0] ?? 0) - 0.01)) < 1e-6);
  t.ok(Math.abs((after[1] ?? 0) - ((start[1] ?? 0) + 0.01)) < 1e-6);
  t.same(store.stats('a'), { count: 1, lastUpdated: 1 });
  t.same(store.stats('c'), { count: 0, lastUpdated: 0 });
  t.equal(store.step, 1);
  t.end();
});

t.test('a row repeated in a batch gets the sum of its gradients, applied once', (t) => {
  const repeated = table({ optimizer: { kind: 'adagrad', learningRate: 0.1 } });
  const summed = table({ optimizer: { kind: 'adagrad', learningRate: 0.1 } });
  const r = repeated.admit('item');
  const s = summed.admit('item');
  // Dyadic fractions, so float32 sums are exact and the comparison can be strict.
  const g1 = [0.125, 0.25, -0.375, 0.5];
  const g2 = [0.5, -0.125, 0.25, 0];
  repeated.applyGradients([r, r], Float32Array.from([...g1, ...g2]));
  summed.applyGradients([s], Float32Array.from(g1.map((v, i) => v + (g2[i] ?? 0))));
  t.same(repeated.vector('item'), summed.vector('item'));
  t.same(repeated.stats('item'), { count: 1, lastUpdated: 1 }, 'one update, not two');
  t.end();
});

t.test('rare and stale rows are evicted and their rows reused', (t) => {
  const store = table();
  store.admitAll(['hot', 'rare', 'stale', 'pinned']);
  const hot = store.rowOf('hot') ?? -1;
  const stale = store.rowOf('stale') ?? -1;
  store.applyGradients([stale], new Float32Array(4).fill(0.1));
  for (let step = 0; step < 5; step += 1) store.applyGradients([hot], new Float32Array(4).fill(0.1));
  const evicted = store.evict({ minCount: 1, idleSteps: 3, keep: (id) => id === 'pinned' });
  t.same(evicted.sort(), ['rare', 'stale']);
  t.equal(store.size, 2);
  t.notOk(store.has('rare'));
  const reused = store.admit('newcomer');
  t.ok([stale, store.rowOf('newcomer')].includes(reused), 'a freed row is reused');
  t.ok(reused < 4, 'no new row was allocated');
  t.same(store.stats('newcomer'), { count: 0, lastUpdated: 6 }, 'statistics start afresh');
  const fresh = table();
  fresh.admit('newcomer');
  t.same(store.vector('newcomer'), fresh.vector('newcomer'), 'a reused row is initialised like a new one');
  t.throws(
    () => store.applyGradients([store.rowOf('hot') === 0 ? 1 : 0], new Float32Array(4)),
    PermanentError,
    'a freed row cannot be updated',
  );
  t.throws(() => store.evict({}), PermanentError);
  t.end();
});

t.test('a snapshot restores the table exactly, free rows included', (t) => {
  const store = table();
  store.admitAll(['a', 'b', 3, 'd']);
  store.applyGradients(store.admitAll(['a', 3]), Float32Array.from([1, 2, 3, 4, -1, -2, -3, -4]));
  store.remove('b');
  const copy = SparseEmbeddingTable.fromSnapshot(store.snapshot());
  t.same(copy.snapshot(), store.snapshot());
  t.equal(copy.size, 3);
  t.equal(copy.admit('e'), store.admit('e'), 'the same free row is handed out next');
  copy.applyGradients([copy.rowOf('a') ?? 0], new Float32Array(4).fill(1));
  store.applyGradients([store.rowOf('a') ?? 0], new Float32Array(4).fill(1));
  t.same(copy.vector('a'), store.vector('a'), 'optimizer state was restored too');
  t.end();
});

t.test('bad input gets a clear error', (t) => {
  t.throws(() => table({ dim: 0 }), { message: /dim must be a positive integer/ });
  t.throws(() => table({ optimizer: { kind: 'adam', learningRate: -1 } }), { message: /learningRate/ });
  const store = table();
  t.throws(() => store.admit(''), { message: /non-empty strings/ });
  t.throws(() => store.admit(1.5), { message: /safe integers/ });
  t.throws(() => store.applyGradients([store.admit('a')], new Float32Array(3)), {
    message: /need 4 gradient values/,
  });
  t.throws(() => store.gather([99]), { message: /not a live row/ });
  t.end();
});

/**
 * The cost of a step must not depend on the table's size. The same step (256 rows, 64 dims) runs
 * against a 10k-row and a 1M-row table; the best-of-trials times must stay within a small factor
 * (a dense update over 1M rows would be about 100 times slower), and the steps must not allocate
 * array memory in proportion to the table.
 */
t.test('the step cost is flat in the table size (10k vs 1M rows, same rows touched)', (t) => {
  const dim = 64;
  const touched = 256;
  const stepsPerTrial = 50;
  const build = (rows: number): SparseEmbeddingTable => {
    const store = new SparseEmbeddingTable({
      dim,
      optimizer: adam,
      seed: 1,
      initStd: 0.01,
      initialCapacity: rows,
    });
    for (let id = 0; id < rows; id += 1) store.admit(id);
    return store;
  };
  const gradients = new Float32Array(touched * dim).fill(0.01);
  const rowsFor = (store: SparseEmbeddingTable, trial: number): Int32Array =>
    // Spread over the whole table; entries 0 and 1 share a row, as repeated items in a batch do.
    Int32Array.from({ length: touched }, (_, i) => ((i === 1 ? 0 : i) * 7919 + trial * 104729) % store.size);
  // Trials alternate between the two tables, so load from elsewhere on the machine hits both alike.
  const tables = [build(10_000), build(1_000_000)] as const;
  const best = [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY];
  for (const store of tables) store.applyGradients(rowsFor(store, 0), gradients); // sizes the scratch buffer
  const arrayBefore = process.memoryUsage().arrayBuffers;
  for (let trial = 1; trial <= 7; trial += 1) {
    tables.forEach((store, which) => {
      const rows = rowsFor(store, trial);
      const start = process.hrtime.bigint();
      for (let step = 0; step < stepsPerTrial; step += 1) store.applyGradients(rows, gradients);
      best[which] = Math.min(best[which] ?? 0, Number(process.hrtime.bigint() - start) / 1e6 / stepsPerTrial);
    });
  }
  const arrayBytes = process.memoryUsage().arrayBuffers - arrayBefore;
  const [smallMs = 0, largeMs = 0] = best;
  t.comment(`per step: 10k rows ${smallMs.toFixed(3)} ms, 1M rows ${largeMs.toFixed(3)} ms`);
  t.ok(
    largeMs < smallMs * 3 + 0.05,
    `1M-row step (${largeMs.toFixed(3)} ms) within 3x of 10k-row step (${smallMs.toFixed(3)} ms)`,
  );
  t.ok(
    arrayBytes < 1 << 20,
    `${2 * 7 * stepsPerTrial} steps allocated ${arrayBytes} bytes of arrays, none table-sized`,
  );

  // The comparison can fail: one dense pass over the 1M-row weights costs far more than the step.
  const dense = new Float32Array(1_000_000 * dim);
  const start = process.hrtime.bigint();
  for (let i = 0; i < dense.length; i += 1) dense[i] = (dense[i] ?? 0) * 0.9 + 0.1;
  const denseMs = Number(process.hrtime.bigint() - start) / 1e6;
  t.ok(denseMs > largeMs * 10, `a dense pass (${denseMs.toFixed(1)} ms) is >10x a sparse step`);
  t.end();
});
