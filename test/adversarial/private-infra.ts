/**
 * A private instance of the local infrastructure (Kafka, ClickHouse, the durable Redis and the
 * feature store), started with infra/infra.sh in its own REC_INFRA_DIR on free ports, so that
 * chaos can stop, kill and restart each store without disturbing the shared instance that other
 * tests use. Its ClickHouse accounts and passwords are its own (`infra.sh env`).
 *
 * While it runs, @recstream/testing's connection settings (`infra`, read by testNamespace and the
 * create/delete helpers) point at it; `close` restores them, stops every component and removes
 * the instance directory.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePorts, infra } from '@recstream/testing';

export const STORE_NAMES = ['kafka', 'clickhouse', 'redis', 'feature-store'] as const;
export type StoreName = (typeof STORE_NAMES)[number];

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Instance directories are created under here, named with this prefix (and only those removed). */
const INSTANCE_PARENT = path.join(REPO_ROOT, '.local');
const INSTANCE_PREFIX = 'adversarial-infra-';

export interface PrivateInfra {
  readonly dir: string;
  /** The `infra.sh env` of the instance (brokers, URLs, ClickHouse accounts). */
  readonly env: Readonly<Record<string, string>>;
  /** `infra.sh stop <component>`: SIGTERM, a clean shutdown. */
  stop(component: StoreName): Promise<void>;
  /** SIGKILL the component's server process and wait until it is gone (a crash). */
  kill(component: StoreName): Promise<void>;
  /** `infra.sh start <component>`, which waits until it is ready. */
  start(component: StoreName): Promise<void>;
  close(): Promise<void>;
}

export async function startPrivateInfra(
  options: { log?: (line: string) => void } = {},
): Promise<PrivateInfra> {
  const log = options.log ?? (() => undefined);
  const dir = path.join(INSTANCE_PARENT, `${INSTANCE_PREFIX}${randomBytes(4).toString('hex')}`);
  const [kafka, controller, http, tcp, interserver, redis, featureStore] = (await freePorts(7)) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  // Only the instance's own variables: a shell that evaluated the shared instance's `env` must not
  // leak its REC_CLICKHOUSE_* passwords or ports into this one.
  const baseEnv = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('REC_')),
  ) as Record<string, string>;
  const instanceEnv: Record<string, string> = {
    ...baseEnv,
    REC_INFRA_DIR: dir,
    REC_INFRA_TIMEOUT_S: '180',
    REC_INFRA_STOP_TIMEOUT_S: '60',
    REC_KAFKA_PORT: String(kafka),
    REC_KAFKA_CONTROLLER_PORT: String(controller),
    REC_CLICKHOUSE_HTTP_PORT: String(http),
    REC_CLICKHOUSE_TCP_PORT: String(tcp),
    REC_CLICKHOUSE_INTERSERVER_PORT: String(interserver),
    REC_REDIS_PORT: String(redis),
    REC_FEATURE_REDIS_PORT: String(featureStore),
  };
  for (const name of ['REC_LOCAL_DIR', 'REC_MAVEN_REPO', 'REC_KAFKA_HEAP'] as const) {
    const value = process.env[name];
    if (value !== undefined) instanceEnv[name] = value;
  }

  function infraSh(...args: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      const child = spawn('bash', [path.join(REPO_ROOT, 'infra', 'infra.sh'), ...args], {
        cwd: REPO_ROOT,
        env: instanceEnv,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        output += chunk.toString();
      });
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.on('error', reject);
      child.on('exit', (code) =>
        code === 0
          ? resolve(stdout)
          : reject(new Error(`infra.sh ${args.join(' ')} exited with ${code}:\n${output.slice(-3000)}`)),
      );
    });
  }

  async function pidOf(component: StoreName): Promise<number | undefined> {
    try {
      const pid = Number((await readFile(path.join(dir, 'run', `${component}.pid`), 'utf8')).trim());
      if (!Number.isInteger(pid) || pid <= 0) return undefined;
      // The pid file may outlive its process; only a process of this instance is ours to kill.
      const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).replaceAll('\0', ' ');
      const marker =
        component === 'redis'
          ? `127.0.0.1:${redis} `
          : component === 'feature-store'
            ? `127.0.0.1:${featureStore} `
            : `${dir}/`;
      return cmdline.includes(marker) ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  const saved = { ...infra };
  let closed = false;
  const instance: PrivateInfra = {
    dir,
    env: {},
    async stop(component) {
      await infraSh('stop', component);
    },
    async kill(component) {
      const pid = await pidOf(component);
      if (pid === undefined) throw new Error(`${component}: no running process of ${dir}`);
      process.kill(pid, 'SIGKILL');
      for (let waited = 0; waited < 10_000; waited += 50) {
        try {
          process.kill(pid, 0);
        } catch {
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`${component}: pid ${pid} still alive 10 s after SIGKILL`);
    },
    async start(component) {
      await infraSh('start', component);
    },
    async close() {
      if (closed) return;
      closed = true;
      Object.assign(infra, saved);
      await infraSh('stop').catch((error: unknown) => log(`private infrastructure stop: ${String(error)}`));
      // Anything still running there (a stop that timed out) must not outlive its directory.
      for (const component of STORE_NAMES) {
        const pid = await pidOf(component);
        if (pid !== undefined) process.kill(pid, 'SIGKILL');
      }
      if (path.dirname(dir) === INSTANCE_PARENT && path.basename(dir).startsWith(INSTANCE_PREFIX))
        await rm(dir, { recursive: true, force: true });
    },
  };

  const begun = Date.now();
  try {
    await infraSh('start');
    const env: Record<string, string> = {};
    for (const line of (await infraSh('env')).split('\n')) {
      const match = /^export (REC_[A-Z0-9_]+)=(.*)$/.exec(line);
      // Values are URLs, user names and hex passwords: nothing a shell would quote.
      if (match !== null) env[match[1] as string] = match[2] as string;
    }
    (instance as { env: Record<string, string> }).env = env;
    Object.assign(infra, {
      kafkaBrokers: env['REC_KAFKA_BROKERS'],
      clickhouseUrl: env['REC_CLICKHOUSE_URL'],
      clickhouseUser: env['REC_CLICKHOUSE_USER'],
      clickhousePassword: env['REC_CLICKHOUSE_PASSWORD'],
      redisUrl: env['REC_REDIS_URL'],
      featureRedisUrl: env['REC_FEATURE_REDIS_URL'],
    });
    for (const [name, value] of Object.entries(infra))
      if (typeof value !== 'string' || value === '')
        throw new Error(`private infrastructure: no ${name} in infra.sh env`);
  } catch (error) {
    await instance.close();
    throw error;
  }
  log(`private infrastructure ready in ${Date.now() - begun} ms (${dir})`);
  return instance;
}
