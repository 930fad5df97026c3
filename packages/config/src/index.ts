/**
 * Configuration from environment variables, declared as one TypeBox object per service.
 *
 * `loadConfig(schema, env)` coerces strings to the declared types, fills defaults, and fails fast
 * with a single error that lists every problem, so an operator fixes them all in one go.
 */
import { Ajv } from 'ajv';
import Type from 'typebox';
import { ERROR_CODES, PermanentError } from '@recstream/errors';

export { Type };

export class ConfigError extends PermanentError {
  constructor(readonly problems: readonly string[]) {
    super(ERROR_CODES.invalidConfig, `invalid configuration:\n  - ${problems.join('\n  - ')}`, {
      details: { problems },
    });
  }
}

type ObjectSchema = Type.TObject;

export function loadConfig<S extends ObjectSchema>(schema: S, env: NodeJS.ProcessEnv): Type.Static<S> {
  const ajv = new Ajv({ allErrors: true, coerceTypes: true, useDefaults: true, strict: false });
  const validate = ajv.compile(schema);
  // Only declared variables are read; empty strings count as unset so defaults apply.
  const input: Record<string, unknown> = {};
  for (const key of Object.keys(schema.properties)) {
    const value = env[key];
    if (value !== undefined && value !== '') input[key] = value;
  }
  if (!validate(input)) {
    const problems = (validate.errors ?? []).map((error) => {
      if (error.keyword === 'required') {
        return `${String((error.params as { missingProperty: string }).missingProperty)} is required`;
      }
      return `${error.instancePath.slice(1)} ${error.message ?? 'is invalid'} (got ${JSON.stringify(
        input[error.instancePath.slice(1)],
      )})`;
    });
    throw new ConfigError(problems);
  }
  return input as Type.Static<S>;
}

/** Settings every service shares; services spread these into their own schema. */
export const commonConfig = {
  REC_LOG_LEVEL: Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    default: 'info',
  }),
  REC_SHUTDOWN_DEADLINE_MS: Type.Integer({ minimum: 100, default: 15_000 }),
  REC_TOPIC_PREFIX: Type.String({ default: '', pattern: '^[A-Za-z0-9._-]*$' }),
};

export const kafkaConfig = {
  REC_KAFKA_BROKERS: Type.String({
    minLength: 1,
    default: '127.0.0.1:19092',
    description: 'comma-separated host:port',
  }),
  /** Compression of produced batches: snappy (default; cheap on CPU), gzip (smaller, costly) or none. */
  REC_KAFKA_COMPRESSION: Type.Enum(['snappy', 'gzip', 'none'], { default: 'snappy' }),
};

/**
 * ClickHouse connection. There is no default account: each service is given its own (infra.sh
 * `env` prints them; infra/README.md), and `clickhouseConnection` refuses to connect without one,
 * so the collector, which never connects, needs none.
 */
export const clickhouseConfig = {
  REC_CLICKHOUSE_URL: Type.String({ default: 'http://127.0.0.1:18123' }),
  REC_CLICKHOUSE_USER: Type.String({ default: '' }),
  REC_CLICKHOUSE_PASSWORD: Type.String({ default: '' }),
  REC_CLICKHOUSE_DATABASE: Type.String({ default: 'recstream', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }),
};

export const redisConfig = {
  REC_REDIS_URL: Type.String({ default: 'redis://127.0.0.1:16379' }),
  REC_REDIS_PREFIX: Type.String({ default: 'rec', pattern: '^[A-Za-z0-9._-]+$' }),
};

/**
 * The online features' Redis. They are derived data (the rebuild recomputes them from ClickHouse),
 * so they can live on a Redis without persistence, apart from the keys and queues on REC_REDIS_URL
 * that must survive a restart: logging the features' writes is what held freshness back
 * (docs/decisions.md, "Redis persistence and the feature store"). Empty: the features share
 * REC_REDIS_URL.
 */
export const featureStoreConfig = {
  REC_FEATURE_REDIS_URL: Type.String({ default: '' }),
};

/** The URL of the Redis holding the online features (see `featureStoreConfig`). */
export function featureRedisUrl(config: { REC_REDIS_URL: string; REC_FEATURE_REDIS_URL: string }): string {
  return config.REC_FEATURE_REDIS_URL === '' ? config.REC_REDIS_URL : config.REC_FEATURE_REDIS_URL;
}

export const httpConfig = {
  REC_HTTP_HOST: Type.String({ default: '127.0.0.1' }),
  /** Proxies whose X-Forwarded-For is believed: false, true, or addresses/CIDRs. */
  REC_HTTP_TRUST_PROXY: Type.String({ default: 'false' }),
};

/** Connection settings for @recstream/clickhouse from the shared ClickHouse variables. */
export function clickhouseConnection(config: {
  REC_CLICKHOUSE_URL: string;
  REC_CLICKHOUSE_USER: string;
  REC_CLICKHOUSE_PASSWORD: string;
  REC_CLICKHOUSE_DATABASE: string;
}) {
  if (config.REC_CLICKHOUSE_USER === '') {
    throw new ConfigError([
      "REC_CLICKHOUSE_USER is required to connect to ClickHouse (no default account; 'infra/infra.sh env' prints each service's)",
    ]);
  }
  return {
    url: config.REC_CLICKHOUSE_URL,
    username: config.REC_CLICKHOUSE_USER,
    password: config.REC_CLICKHOUSE_PASSWORD,
    database: config.REC_CLICKHOUSE_DATABASE,
  };
}
