/**
 * Waits until a Kafka broker answers a metadata request, for infra.sh's readiness check.
 *
 * A listening port is not enough: a KRaft broker accepts TCP connections before its controller
 * has elected itself and registered the broker, and clients then fail with "no brokers". A
 * successful admin describeCluster() means a client can really work.
 *
 * Usage: node --import tsx infra/wait-kafka.ts --brokers 127.0.0.1:19092 [--timeout-s 90] [--pid N]
 * With --pid it gives up as soon as that process has exited (the broker died while starting).
 * Exit status: 0 ready, 1 not ready in time or broker process gone, 2 bad arguments.
 */
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';

interface Options {
  brokers: string[];
  timeoutMs: number;
  pid: number | undefined;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      brokers: { type: 'string' },
      'timeout-s': { type: 'string', default: '90' },
      pid: { type: 'string' },
    },
    strict: true,
  });
  const brokers = (values.brokers ?? '').split(',').filter((b) => b.length > 0);
  const timeoutS = Number(values['timeout-s']);
  const pid = values.pid === undefined ? undefined : Number(values.pid);
  if (brokers.length === 0) throw new Error('--brokers host:port[,host:port] is required');
  if (!Number.isFinite(timeoutS) || timeoutS <= 0) throw new Error('--timeout-s must be a positive number');
  if (pid !== undefined && !Number.isInteger(pid)) throw new Error('--pid must be an integer');
  return { brokers, timeoutMs: timeoutS * 1000, pid };
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM means it exists but is not ours, which still counts as alive.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** One attempt: connect, describe the cluster, disconnect. Resolves to the broker count. */
async function describeOnce(brokers: string[]): Promise<number> {
  const kafka = new Kafka({
    clientId: 'recstream-infra-wait',
    brokers,
    // Short timeouts and no internal retries: this script does the retrying, against a deadline.
    connectionTimeout: 2000,
    requestTimeout: 5000,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    if (cluster.brokers.length === 0) throw new Error('cluster has no registered brokers yet');
    return cluster.brokers.length;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

async function main(): Promise<number> {
  let options: Options;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`[infra] wait-kafka: ${(err as Error).message}\n`);
    return 2;
  }
  const started = Date.now();
  const deadline = started + options.timeoutMs;
  let lastError = 'no attempt made';
  while (Date.now() < deadline) {
    if (options.pid !== undefined && !processAlive(options.pid)) {
      process.stderr.write(`[infra] kafka: broker process ${options.pid} exited before becoming ready\n`);
      return 1;
    }
    try {
      const count = await describeOnce(options.brokers);
      process.stderr.write(
        `[infra] kafka: describeCluster answered (${count} broker) after ${Date.now() - started} ms\n`,
      );
      return 0;
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
    }
    await sleep(500);
  }
  process.stderr.write(
    `[infra] kafka: describeCluster did not succeed within ${options.timeoutMs / 1000}s (last error: ${lastError})\n`,
  );
  return 1;
}

process.exitCode = await main();
