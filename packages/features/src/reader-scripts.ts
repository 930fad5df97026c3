/**
 * Defines every reader script on a client at once. A client with ioredis's auto-pipelining needs
 * this before it reads: an automatic pipeline knows only the scripts defined when it was made, so a
 * script defined lazily, in the same tick as other commands, would fail in it.
 */
import type { Redis } from 'ioredis';
import { defineReadSubjectScript } from './subject.reader.js';
import { defineReadTrendingScript } from './trending.reader.js';

export function defineReaderScripts(redis: Redis): void {
  defineReadSubjectScript(redis);
  defineReadTrendingScript(redis);
}
