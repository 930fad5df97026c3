/**
 * An open-loop HTTP load generator: requests are released on a fixed schedule (not when the
 * previous one answers), so a slow server shows up as latency and backlog instead of silently
 * lowering the offered rate. In-flight requests are capped; time spent at the cap is reported.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';

export interface LoadOptions {
  /** One server, or several replicas of it, taken in turn (as a round-robin load balancer would). */
  readonly url: URL | readonly URL[];
  readonly headers: Readonly<Record<string, string>>;
  readonly requestsPerSecond: number;
  readonly durationMs: number;
  readonly maxInFlight: number;
  /** Body of the n-th request. */
  readonly body: (sequence: number) => string;
  /** Called once per answered request, with its status and latency. */
  readonly onResult: (sequence: number, status: number, latencyMs: number) => void;
}

export interface LoadResult {
  readonly sent: number;
  readonly failed: number;
  /** Most requests ever overdue at once (held back because `maxInFlight` were waiting). */
  readonly maxBacklog: number;
  readonly elapsedMs: number;
}

export async function runOpenLoop(options: LoadOptions): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.maxInFlight });
  let sent = 0;
  let failed = 0;
  let inFlight = 0;
  let maxBacklog = 0;
  const started = performance.now();
  const settled: Promise<void>[] = [];
  const urls = options.url instanceof URL ? [options.url] : options.url;

  const send = (sequence: number): Promise<void> =>
    new Promise((resolve) => {
      const body = options.body(sequence);
      const at = performance.now();
      const request = http.request(
        urls[sequence % urls.length] as URL,
        {
          method: 'POST',
          agent,
          headers: { ...options.headers, 'content-length': Buffer.byteLength(body) },
        },
        (response) => {
          response.resume();
          response.on('end', () => {
            options.onResult(sequence, response.statusCode ?? 0, performance.now() - at);
            resolve();
          });
        },
      );
      request.on('error', () => {
        failed += 1;
        options.onResult(sequence, 0, performance.now() - at);
        resolve();
      });
      request.end(body);
    });

  while (performance.now() - started < options.durationMs) {
    const due = Math.floor(((performance.now() - started) / 1000) * options.requestsPerSecond);
    while (sent < due) {
      if (inFlight >= options.maxInFlight) {
        maxBacklog = Math.max(maxBacklog, due - sent);
        break;
      }
      inFlight += 1;
      const sequence = sent;
      sent += 1;
      settled.push(send(sequence).finally(() => (inFlight -= 1)));
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  await Promise.all(settled);
  agent.destroy();
  return { sent, failed, maxBacklog, elapsedMs: performance.now() - started };
}
