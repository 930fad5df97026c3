/**
 * Sends one request with node:http and waits for its answer under a deadline. The outcome tells
 * an answer (status and body) apart from a hang (no answer by the deadline) and from a connection
 * that ended without an answer (reset).
 */
import http from 'node:http';

export interface Outcome {
  readonly status: number | undefined;
  /** The answer's body, cut at 64 KiB. */
  readonly body: string;
  readonly ms: number;
  readonly hung: boolean;
  /** The connection failed or ended without an answer. */
  readonly error: string | undefined;
}

export interface SendOptions {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string | string[]>;
  readonly body: Buffer | undefined;
  readonly chunked?: boolean;
  readonly deadlineMs: number;
  readonly agent?: http.Agent;
}

const MAX_KEPT = 64 * 1024;

export function send(options: SendOptions): Promise<Outcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    let status: number | undefined;
    const chunks: Buffer[] = [];
    let kept = 0;
    const finish = (outcome: Omit<Outcome, 'ms' | 'status' | 'body'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({
        status,
        body: Buffer.concat(chunks).toString('utf8'),
        ms: performance.now() - started,
        ...outcome,
      });
    };
    const headers: http.OutgoingHttpHeaders = { ...options.headers };
    if (options.body !== undefined && options.chunked !== true)
      headers['content-length'] = options.body.length;
    let request: http.ClientRequest;
    try {
      request = http.request(options.url, { method: options.method, headers, agent: options.agent });
    } catch (error) {
      // Headers node itself refuses to send: nothing reached the server.
      resolve({
        status: undefined,
        body: '',
        ms: 0,
        hung: false,
        error: `not sent: ${(error as Error).message}`,
      });
      return;
    }
    const timer = setTimeout(() => {
      // An answer whose body never ended is an answer (its status counts), not a hang.
      finish({
        hung: status === undefined,
        error: `${status === undefined ? 'no answer' : 'answer unfinished'} within ${options.deadlineMs} ms`,
      });
      request.destroy();
    }, options.deadlineMs);
    request.on('response', (response) => {
      status = response.statusCode;
      response.on('data', (chunk: Buffer) => {
        if (kept < MAX_KEPT) chunks.push(chunk);
        kept += chunk.length;
      });
      response.on('end', () => finish({ hung: false, error: undefined }));
      response.on('error', (error) => finish({ hung: false, error: `answer cut: ${error.message}` }));
      response.on('aborted', () => finish({ hung: false, error: 'answer aborted' }));
    });
    request.on('error', (error) => {
      // The server may answer early (413) and close before the whole body was written: the answer
      // counts when it arrived.
      if (status !== undefined) return;
      finish({ hung: false, error: error.message });
    });
    if (options.body === undefined) request.end();
    else if (options.chunked === true) {
      const half = Math.floor(options.body.length / 2);
      request.write(options.body.subarray(0, half));
      request.end(options.body.subarray(half));
    } else request.end(options.body);
  });
}
