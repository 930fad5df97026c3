/**
 * Starts a service as its own process (as in production), waits for `/readyz`, and stops it with
 * SIGTERM, so end-to-end tests exercise the real composition roots and shutdown paths.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface RunningService {
  readonly url: string;
  readonly process: ChildProcess;
  /** Everything the process wrote, for assertions and for failure messages. */
  output(): string;
  /** SIGTERM, then waits for exit; resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function startService(options: {
  service: 'ingest' | 'feature' | 'trainer' | 'serving';
  /** Default: a free port below the ephemeral range. */
  port?: number;
  env: Record<string, string>;
  readyTimeoutMs?: number;
  /** Extra arguments for node itself (e.g. `--cpu-prof`). */
  nodeArgs?: readonly string[];
  /** CPU priority (`nice`, 0–19) for the process and all its threads; default: as this one. */
  niceness?: number;
}): Promise<RunningService> {
  const entry = `services/${options.service}/src/index.ts`;
  const port = options.port ?? (await freePort());
  const command = [process.execPath, ...(options.nodeArgs ?? []), '--import', 'tsx', entry];
  // nice execs the command: the child's pid is the service's.
  const [file, ...args] =
    options.niceness === undefined ? command : ['nice', '-n', String(options.niceness), ...command];
  const child = spawn(file as string, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, ...options.env, REC_HTTP_PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  const exited = once(child, 'exit');

  const service: RunningService = {
    url,
    process: child,
    output: () => output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      const [code] = (await exited) as [number | null];
      return code;
    },
  };

  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`${options.service} exited with ${child.exitCode}:\n${output}`);
    try {
      const response = await fetch(`${url}/readyz`);
      if (response.ok) return service;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await service.stop('SIGKILL');
  throw new Error(`${options.service} not ready within the timeout:\n${output}`);
}
