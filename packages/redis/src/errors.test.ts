import t from 'tap';
import { ReplyError } from 'ioredis';
import { ERROR_CODES, PermanentError, TransientError } from '@recstream/errors';
import { classifyRedisError, isTransientRedisError } from './errors.js';

const reply = (message: string): Error => new (ReplyError as new (message: string) => Error)(message);

t.test('a server that is loading, busy, full or failing over: transient', (t) => {
  for (const message of [
    'LOADING Redis is loading the dataset in memory',
    'BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.',
    "OOM command not allowed when used memory > 'maxmemory'.",
    'MISCONF Redis is configured to save RDB snapshots, but it is currently not able to persist on disk.',
    "READONLY You can't write against a read only replica.",
    'MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to no.',
    'NOSCRIPT No matching script. Please use EVAL.',
  ])
    t.ok(isTransientRedisError(reply(message)), message.split(' ')[0] ?? message);
  const oom = classifyRedisError(reply("OOM command not allowed when used memory > 'maxmemory'."));
  t.type(oom, TransientError);
  t.equal(oom.code, ERROR_CODES.overloaded);
  t.end();
});

t.test('the connection failing under a command: transient', (t) => {
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), {
    code: 'ECONNREFUSED',
    syscall: 'connect',
  });
  const maxRetries = Object.assign(new Error('Reached the max retries per request limit (which is 2).'), {
    name: 'MaxRetriesPerRequestError',
  });
  for (const error of [
    refused,
    maxRetries,
    new Error('Connection is closed.'),
    new Error('Command timed out'),
  ])
    t.ok(isTransientRedisError(error), error.message);
  t.equal(classifyRedisError(new Error('Command timed out')).code, ERROR_CODES.timeout);
  t.end();
});

t.test('every other error reply, and what is not a Redis error: permanent', (t) => {
  for (const error of [
    reply('WRONGTYPE Operation against a key holding the wrong kind of value'),
    reply('ERR value is not a valid float'),
    reply('ERR user_script:12: Script attempted to access nonexistent global variable'),
    new TypeError("Cannot read properties of undefined (reading 'map')"),
  ]) {
    const classified = classifyRedisError(error);
    t.type(classified, PermanentError, error.message);
    t.equal(classified.cause, error, 'the original kept as the cause');
  }
  t.end();
});

t.test('an error already classified keeps its family', (t) => {
  const transient = new TransientError(ERROR_CODES.unavailable, 'down');
  t.equal(classifyRedisError(transient), transient);
  t.end();
});
