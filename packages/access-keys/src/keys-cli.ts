/**
 * The composition root of a key-management command: config (REC_REDIS_URL, REC_REDIS_PREFIX, the
 * variables the services use) → Redis → the command → the process' exit code.
 */
import { Type, loadConfig, redisConfig } from '@recstream/config';
import { errorMessage } from '@recstream/errors';
import { createRedis, type Redis } from '@recstream/redis';
import type { KeysCommandIo } from './keys-command.js';

/** A command run with a connected Redis and the key prefix; resolves with the exit code. */
export type KeysCli = (redis: Redis, prefix: string, io: KeysCommandIo) => Promise<number>;

async function main(name: string, command: KeysCli): Promise<number> {
  const io: KeysCommandIo = {
    out: (line) => void process.stdout.write(`${line}\n`),
    err: (line) => void process.stderr.write(`${line}\n`),
  };
  let config;
  try {
    config = loadConfig(Type.Object({ ...redisConfig }), process.env);
  } catch (error) {
    io.err(`${name}: ${errorMessage(error)}`);
    return 2;
  }
  // An operator's command should fail at once when Redis is away, not wait through reconnections.
  const redis = createRedis(config.REC_REDIS_URL, { retryStrategy: () => null, maxRetriesPerRequest: 0 });
  // connect() rejects with a bare "Connection is closed": the socket's own error says why.
  let connectionError: unknown;
  redis.on('error', (error: unknown) => (connectionError = error));
  try {
    await redis.connect();
  } catch (error) {
    io.err(
      `${name}: cannot reach Redis at ${withoutPassword(config.REC_REDIS_URL)}: ${errorMessage(connectionError ?? error)}`,
    );
    return 1;
  }
  try {
    return await command(redis, config.REC_REDIS_PREFIX, io);
  } finally {
    redis.disconnect();
  }
}

/** Runs `command` as this process, setting its exit code. */
export function runKeysCli(name: string, command: KeysCli): void {
  main(name, command).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      process.stderr.write(`${name} failed: ${errorMessage(error)}\n`);
      process.exitCode = 1;
    },
  );
}

/** The URL as it may be shown: a `redis://user:password@host` password never reaches a terminal or log. */
export function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password === '') return url;
    parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(an unparseable URL)';
  }
}
