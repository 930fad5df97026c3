/**
 * The adversarial suite's CI slice: the collector, the sink, the feature service and serving as
 * real processes on the real infrastructure; a few thousand hostile inputs (fast-check, fixed
 * seed) while a well-behaved shop sends on another key; then the quickest chaos scenarios
 * (SIGKILL the collector, restart the durable Redis, SIGKILL ClickHouse). The pipeline runs on a
 * private instance of the infrastructure (its own ports and directory, removed at the end), so
 * that its stores can be restarted without disturbing anyone. The full run is
 * `pnpm bench:adversarial`.
 *
 * On failure the seed and each failing input are printed; `inputAt(seed, n)` in run.ts rebuilds
 * input n. ADVERSARIAL_SEED and ADVERSARIAL_INPUTS change the run.
 */
import t from 'tap';
import { startPipeline } from './harness.js';
import { total } from './ledger.js';
import { runAdversarial } from './run.js';

const SEED = Number(process.env['ADVERSARIAL_SEED'] ?? 20_261_207);
const INPUTS = Number(process.env['ADVERSARIAL_INPUTS'] ?? 4000);

t.setTimeout(420_000);

t.test(`adversarial slice: seed ${SEED}, ${INPUTS} inputs`, async (t) => {
  t.comment(`seed ${SEED} (ADVERSARIAL_SEED=${SEED} reproduces this run)`);
  const log = (line: string) => void process.stderr.write(`[adversarial] ${line}\n`);
  const pipeline = await startPipeline({ label: 'adv', log, privateInfra: true });
  t.teardown(() => pipeline.close());

  const report = await runAdversarial(pipeline, {
    seed: SEED,
    inputs: INPUTS,
    concurrency: 8,
    deadlineMs: 15_000,
    steady: { eventsPerSecond: 100, batchSize: 10, quietMs: 3000 },
    // The quickest scenarios: a killed sink or feature service rejoins its consumer group only
    // after the old member's session expires (~30 s), and a Kafka broker takes 5–25 s to start;
    // those run in bench:adversarial.
    chaos: ['collector', 'redis', 'clickhouse-kill'],
    settleTimeoutMs: 45_000,
    log,
  });
  const summary = { ...report, store: { ...report.store, examples: undefined }, examples: undefined };
  t.comment(JSON.stringify(summary));
  const examples = (kind: string) =>
    report.examples
      .filter((v) => v.kind === kind)
      .map((v) => `${v.detail.slice(0, 400)}\n    reproduce: ${v.reproduction}`)
      .join('\n  ');

  t.equal(report.hangs, 0, `every request answered within the deadline\n  ${examples('hang')}`);
  t.equal(report.serverErrors, 0, `no 5xx other than 503\n  ${examples('server-error')}`);
  t.equal(report.crashes, 0, `every process stayed live\n  ${examples('crash')}`);
  t.equal(report.noAnswer, 0, `no connection ended without an answer\n  ${examples('no-answer')}`);
  t.equal(
    report.violations['bad-answer'],
    0,
    `every 202 carries its accepted count\n  ${examples('bad-answer')}`,
  );
  t.equal(report.violations.scope, 0, `no catalog change under a browser key\n  ${examples('scope')}`);
  t.same(
    report.liveAtEnd,
    { collector: true, sink: true, feature: true, serving: true },
    'all live at the end',
  );

  const { store } = report;
  t.ok(total(store.accepted) > 0, 'hostile inputs included accepted records');
  t.equal(
    report.lost,
    0,
    `every accepted record is stored or parked with a reason: ${JSON.stringify(store.examples.lost)}`,
  );
  t.equal(
    report.duplicated,
    0,
    `no accepted record stored twice: ${JSON.stringify(store.examples.duplicated)}`,
  );
  t.equal(store.duplicateRowsInEvents, 0, 'no event id twice in events');
  t.equal(
    store.refusedButStored,
    0,
    `no refused record stored: ${JSON.stringify(store.examples.refusedButStored)}`,
  );
  t.equal(
    report.tracing.countMismatches,
    0,
    `accepted counts match the traced records: ${JSON.stringify(report.tracing.examples)}`,
  );

  // The well-behaved shop on its own key: everything it sent is stored, none of it parked.
  t.ok(report.steady.batches > 0, 'the well-behaved shop sent');
  t.equal(
    report.steady.neverAccepted,
    0,
    `the well-behaved shop's events were all accepted: ${JSON.stringify(report.steady.failedAttempts)}`,
  );
  t.equal(store.lost['steady'] ?? 0, 0, 'none of them lost');
  t.equal(store.parked['steady'] ?? 0, 0, `none of them parked: ${JSON.stringify(store.examples.parked)}`);
  t.equal(store.duplicated['steady'] ?? 0, 0, 'none of them stored twice');

  for (const scenario of report.chaos) {
    t.ok(scenario.accepted > 0, `chaos ${scenario.target}: events accepted around the kill`);
    t.equal(scenario.lost, 0, `chaos ${scenario.target}: nothing accepted lost`);
    t.equal(scenario.duplicated, 0, `chaos ${scenario.target}: nothing stored twice`);
    // A ClickHouse killed between writing `events` and pushing the views leaves rows the views miss:
    // review finding L3, accepted on 18.16 (no transactions) on the condition that the sink
    // detects every such row. Never more, and never a shortfall it did not detect.
    t.ok(
      scenario.rollupExcess === 0 ||
        (scenario.rollupExcess < 0 && -scenario.rollupExcess <= scenario.storedByFailedInserts),
      `chaos ${scenario.target}: the rollup counts each view once, or misses only rows the sink detected`,
      { rollupExcess: scenario.rollupExcess, storedByFailedInserts: scenario.storedByFailedInserts },
    );
    t.equal(scenario.neverAccepted, 0, `chaos ${scenario.target}: every event accepted in the end`);
    t.not(scenario.allReadyMs, undefined, `chaos ${scenario.target}: every service ready again`);
  }
});
