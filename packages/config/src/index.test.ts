import t from 'tap';
import { ERROR_CODES, PermanentError } from '@recstream/errors';
import {
  ConfigError,
  Type,
  clickhouseConfig,
  clickhouseConnection,
  commonConfig,
  loadConfig,
} from './index.js';

const Schema = Type.Object({
  ...commonConfig,
  ...clickhouseConfig,
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
  RATIO: Type.Number({ default: 0.5 }),
  VERBOSE: Type.Boolean({ default: false }),
  NAME: Type.String({ minLength: 1 }),
});

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

t.test('coerces strings from the environment to the declared types', (t) => {
  const config = loadConfig(Schema, {
    NAME: 'svc',
    PORT: '8080',
    RATIO: '0.25',
    VERBOSE: 'true',
    REC_SHUTDOWN_DEADLINE_MS: '2000',
  });
  t.equal(config.PORT, 8080);
  t.equal(config.RATIO, 0.25);
  t.equal(config.VERBOSE, true);
  t.equal(config.REC_SHUTDOWN_DEADLINE_MS, 2000);
  t.equal(typeof config.PORT, 'number', 'a number, not the string');
  t.end();
});

t.test('applies defaults for unset and empty variables', (t) => {
  const config = loadConfig(Schema, { NAME: 'svc', PORT: '', REC_LOG_LEVEL: '' });
  t.equal(config.PORT, 3000, 'an empty string counts as unset');
  t.equal(config.RATIO, 0.5);
  t.equal(config.VERBOSE, false);
  t.equal(config.REC_LOG_LEVEL, 'info');
  t.equal(config.REC_SHUTDOWN_DEADLINE_MS, 15_000);
  t.equal(config.REC_TOPIC_PREFIX, '');
  t.equal(config.REC_CLICKHOUSE_DATABASE, 'recstream');
  t.end();
});

t.test('reads only declared variables', (t) => {
  const config = loadConfig(Schema, { NAME: 'svc', HOME: '/root', SECRET_TOKEN: 'x' });
  t.notOk('HOME' in config);
  t.notOk('SECRET_TOKEN' in config);
  t.end();
});

t.test('lists every problem in one ConfigError', (t) => {
  const error = configError(() =>
    loadConfig(Schema, {
      PORT: 'eighty',
      VERBOSE: 'maybe',
      REC_LOG_LEVEL: 'loud',
      REC_SHUTDOWN_DEADLINE_MS: '50',
      REC_CLICKHOUSE_DATABASE: 'prod; DROP',
    }),
  );
  t.type(error, PermanentError, 'configuration errors are permanent');
  t.equal(error.code, ERROR_CODES.invalidConfig);
  const expected = [
    'NAME',
    'PORT',
    'VERBOSE',
    'REC_LOG_LEVEL',
    'REC_SHUTDOWN_DEADLINE_MS',
    'REC_CLICKHOUSE_DATABASE',
  ];
  for (const variable of expected) {
    t.ok(
      error.problems.some((problem) => problem.startsWith(variable)),
      `a problem names ${variable}`,
    );
    t.match(error.message, variable, `the message mentions ${variable}`);
  }
  t.equal(
    error.problems.length,
    expected.length,
    'one problem per bad variable, none missing, none invented',
  );
  t.ok(error.problems.includes('NAME is required'));
  t.match(
    error.problems.find((p) => p.startsWith('PORT')),
    /got "eighty"/,
    'shows what was given',
  );
  t.match(
    error.problems.find((p) => p.startsWith('REC_SHUTDOWN_DEADLINE_MS')),
    />= 100/,
    'says what is allowed',
  );
  t.end();
});

t.test('range limits apply after coercion', (t) => {
  const error = configError(() => loadConfig(Schema, { NAME: 'svc', PORT: '70000' }));
  t.equal(error.problems.length, 1);
  t.match(error.problems[0], /^PORT must be <= 65535/);
  const fraction = configError(() => loadConfig(Schema, { NAME: 'svc', PORT: '80.5' }));
  t.match(fraction.problems[0], /^PORT must be integer/, 'an integer setting refuses fractions');
  t.end();
});

t.test('ClickHouse has no default account: a service that connects must be given its own', (t) => {
  const unset = loadConfig(Schema, { NAME: 'svc' });
  const error = configError(() => clickhouseConnection(unset));
  t.equal(error.code, ERROR_CODES.invalidConfig);
  t.match(error.problems, [/^REC_CLICKHOUSE_USER is required/]);
  const empty = loadConfig(Schema, { NAME: 'svc', REC_CLICKHOUSE_USER: '', REC_CLICKHOUSE_PASSWORD: '' });
  t.throws(() => clickhouseConnection(empty), ConfigError, 'an empty user counts as unset');
  const given = loadConfig(Schema, {
    NAME: 'svc',
    REC_CLICKHOUSE_USER: 'recstream_sink',
    REC_CLICKHOUSE_PASSWORD: 'p',
  });
  t.same(clickhouseConnection(given), {
    url: 'http://127.0.0.1:18123',
    username: 'recstream_sink',
    password: 'p',
    database: 'recstream',
  });
  t.end();
});
