/** What every benchmark report starts with: which benchmark, when, and on what machine. */
import os from 'node:os';
import { round } from './stats.js';

export function reportHeader(benchmark: string) {
  return {
    benchmark,
    date: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      cpu_model: os.cpus()[0]?.model ?? '',
      memory_gib: round(os.totalmem() / 2 ** 30),
    },
  };
}
