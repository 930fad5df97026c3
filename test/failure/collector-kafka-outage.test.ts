/**
 * The collector when Kafka goes away, against a PRIVATE Kafka broker (its own REC_INFRA_DIR and
 * ports, started with infra/infra.sh) so that freezing and stopping it cannot disturb the shared
 * instance other tests use at the same time.
 *
 * The promise under test: never a 2xx for an event that is not durable. A frozen broker (SIGSTOP:
 * requests hang mid-flight) and a stopped broker both get 503 + Retry-After within the produce
 * timeout; the client's retry succeeds once Kafka is back; every event ever acknowledged is in
 * the topic afterwards.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { topicName } from '@recstream/schemas';
import {
  freePorts,
  readTopic,
  startService,
  testNamespace,
  waitFor,
  type RunningService,
} from '@recstream/testing';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const instanceDir = path.join(REPO_ROOT, '.local', `test-kafka-${randomBytes(4).toString('hex')}`);
const [kafkaPort, controllerPort] = (await freePorts(2)) as [number, number];
const brokers = `127.0.0.1:${kafkaPort}`;
const instanceEnv = {
  ...process.env,
  REC_INFRA_DIR: instanceDir,
  REC_INFRA_TIMEOUT_S: '120',
  REC_KAFKA_PORT: String(kafkaPort),
  REC_KAFKA_CONTROLLER_PORT: String(controllerPort),
};

function infraSh(...args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [path.join(REPO_ROOT, 'infra', 'infra.sh'), ...args], {
      cwd: REPO_ROOT,
      env: instanceEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`infra.sh ${args.join(' ')}: ${code}\n${output}`)),
    );
  });
}

async function brokerPid(): Promise<number> {
  return Number((await readFile(path.join(instanceDir, 'run', 'kafka.pid'), 'utf8')).trim());
}

/** The process state letter from /proc (`T` once SIGSTOP has taken effect). */
async function processState(pid: number): Promise<string> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
}

const views = (batch: string, n: number) =>
  Array.from({ length: n }, (_, i) => ({
    type: 'view',
    event_id: `${batch}-${i}`,
    anonymous_id: `a${i}`,
    item_id: `sku-${i}`,
  }));

async function post(collector: RunningService, events: unknown[]) {
  const started = Date.now();
  const response = await fetch(`${collector.url}/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(events),
  });
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    ms: Date.now() - started,
    body: await response.text(),
  };
}

t.test('collector and a Kafka outage', async (t) => {
  const ns = testNamespace('kafkaout');
  await infraSh('start', 'kafka');
  const running: RunningService[] = [];
  t.teardown(async () => {
    for (const service of running) await service.stop('SIGKILL');
    const pid = await brokerPid().catch(() => 0);
    if (pid > 0) process.kill(pid, 'SIGCONT');
    await infraSh('stop', 'kafka').catch(() => undefined);
    await rm(instanceDir, { recursive: true, force: true });
  });
  const collector = await startService({
    service: 'ingest',
    env: {
      ...ns.env,
      REC_KAFKA_BROKERS: brokers,
      REC_INGEST_ROLE: 'collector',
      REC_INGEST_AUTH: 'disabled',
      REC_INGEST_PRODUCE_TIMEOUT_MS: '2000',
    },
  });
  running.push(collector);
  const acknowledged = new Set<string>();
  const remember = (events: { event_id: string }[]) => events.forEach((e) => acknowledged.add(e.event_id));

  const before = views('before', 20);
  t.equal((await post(collector, before)).status, 202, 'accepted while Kafka is up');
  remember(before);

  // Frozen broker: the produce request is in flight and never acknowledged.
  const pid = await brokerPid();
  const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).replaceAll('\0', ' ');
  t.match(cmdline, instanceDir, 'the pid is the private broker');
  process.kill(pid, 'SIGSTOP');
  await waitFor(
    'the broker to be stopped',
    async () => ((await processState(pid)) === 'T' ? true : undefined),
    {
      timeoutMs: 5000,
      intervalMs: 20,
    },
  );
  const frozen = views('frozen', 20);
  const whileFrozen = await post(collector, frozen);
  t.equal(whileFrozen.status, 503, 'not acknowledged: 503');
  t.ok(Number(whileFrozen.retryAfter) > 0, 'with Retry-After');
  t.ok(whileFrozen.ms < 10_000, `answered within the produce timeout, not hanging (${whileFrozen.ms} ms)`);
  t.match(whileFrozen.body, /REC_ERR_/, 'with an error code');
  process.kill(pid, 'SIGCONT');
  const retried = await waitFor(
    'the client retry to be accepted',
    async () => {
      const result = await post(collector, frozen);
      return result.status === 202 ? result : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 500 },
  );
  t.equal(retried.status, 202, 'the retry is accepted once Kafka is back');
  remember(frozen);

  // Stopped broker: connections refused.
  await infraSh('stop', 'kafka');
  const stopped = views('stopped', 20);
  const whileStopped = await post(collector, stopped);
  t.equal(whileStopped.status, 503, 'Kafka stopped: 503');
  t.ok(Number(whileStopped.retryAfter) > 0, 'with Retry-After');
  const ready = await fetch(`${collector.url}/readyz`);
  t.equal(ready.status, 503, '/readyz is red while Kafka is down');
  await infraSh('start', 'kafka');
  await waitFor(
    'the client retry to be accepted after restart',
    async () => {
      const result = await post(collector, stopped);
      return result.status === 202 ? true : undefined;
    },
    { timeoutMs: 90_000, intervalMs: 1000 },
  );
  remember(stopped);
  t.equal(collector.process.exitCode, null, 'the collector never crashed');

  const inTopic = new Set(
    (await readTopic(topicName('events', ns.topicPrefix), { brokers })).map(
      (m) => (JSON.parse(m.value ?? '{}') as { event_id: string }).event_id,
    ),
  );
  const missing = [...acknowledged].filter((id) => !inTopic.has(id));
  t.same(missing, [], `every acknowledged event is in Kafka (${acknowledged.size} acknowledged)`);
});
