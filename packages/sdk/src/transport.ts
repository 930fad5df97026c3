/**
 * How a batch reaches the collector. The tracker speaks only this small interface, so tests and
 * unusual runtimes can inject their own; the default is the runtime's `fetch`.
 */

export interface TransportRequest {
  readonly url: string;
  /** JSON text of the batch: an array of events. */
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Let the request outlive the page (browsers cap such bodies at 64 KiB in flight). */
  readonly keepalive: boolean;
}

export interface TransportResponse {
  readonly status: number;
  /** Response headers, names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Resolves with any HTTP response, 4xx and 5xx included; rejects only when no response came (network, timeout). */
export type Transport = (request: TransportRequest) => Promise<TransportResponse>;

/** The part of `fetch` the default transport uses. */
export type FetchLike = (
  url: string,
  init: {
    method: 'POST';
    headers: Record<string, string>;
    body: string | Uint8Array;
    keepalive: boolean;
    signal: AbortSignal;
  },
) => Promise<{
  status: number;
  headers: { forEach(callback: (value: string, name: string) => void): void };
  text(): Promise<string>;
}>;

export interface FetchTransportOptions {
  /** Defaults to the global `fetch` (browsers, Node ≥ 18). */
  readonly fetch?: FetchLike;
  /** A request without a response after this long is abandoned and retried. */
  readonly timeoutMs?: number;
  /** Gzip bodies of at least `compressMinBytes` where the runtime has `CompressionStream`. */
  readonly compress?: boolean;
  readonly compressMinBytes?: number;
}

export function createFetchTransport(options: FetchTransportOptions = {}): Transport {
  const fetchFn = options.fetch ?? globalFetch();
  const timeoutMs = options.timeoutMs ?? 10_000;
  const compress = (options.compress ?? true) && typeof CompressionStream === 'function';
  const compressMinBytes = options.compressMinBytes ?? 1024;

  return async (request) => {
    const headers: Record<string, string> = { ...request.headers };
    let body: string | Uint8Array = request.body;
    // A keepalive request is sent while the page goes away: no time for an asynchronous gzip.
    if (compress && !request.keepalive && request.body.length >= compressMinBytes) {
      body = await gzip(request.body);
      headers['content-encoding'] = 'gzip';
    }
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      const response = await fetchFn(request.url, {
        method: 'POST',
        headers,
        body,
        keepalive: request.keepalive,
        signal: controller.signal,
      });
      const responseHeaders: Record<string, string> = {};
      response.headers.forEach((value, name) => {
        responseHeaders[name.toLowerCase()] = value;
      });
      return { status: response.status, headers: responseHeaders, body: await response.text() };
    } catch (error) {
      if (controller.signal.aborted) throw new Error(`no response within ${timeoutMs} ms`, { cause: error });
      throw error;
    } finally {
      clearTimeout(timer);
    }
  };
}

function globalFetch(): FetchLike {
  if (typeof globalThis.fetch !== 'function') {
    throw new TypeError('this runtime has no global fetch: pass `transport` (or `fetch`) to createTracker');
  }
  // Called through globalThis: some browsers refuse a fetch detached from its window.
  return (url, init) => globalThis.fetch(url, init);
}

async function gzip(text: string): Promise<Uint8Array> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
