/** A transport that records requests and answers as a test scripts it, with no network. */
import type { Transport, TransportRequest, TransportResponse } from '../transport.js';

export interface RecordedRequest extends TransportRequest {
  /** The batch, parsed. */
  readonly events: Record<string, unknown>[];
}

/** Answers a request: a response, or an Error to throw (no response: network failure). */
export type Responder = (request: RecordedRequest, index: number) => TransportResponse | Error;

export interface FakeTransport {
  readonly transport: Transport;
  readonly requests: RecordedRequest[];
  /** Answers the following requests with `responder` (default: everything accepted). */
  respond(responder: Responder): void;
  /** Makes requests wait until `release()`: to observe what happens while one is in flight. */
  hold(): { release: () => void };
}

export const accepted = (request: RecordedRequest): TransportResponse =>
  json(202, { accepted: request.events.length, rejected: [] });

export function json(status: number, body: unknown, headers: Record<string, string> = {}): TransportResponse {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

export function createFakeTransport(): FakeTransport {
  const requests: RecordedRequest[] = [];
  let responder: Responder = accepted;
  let gate: Promise<void> | undefined;
  return {
    requests,
    respond(next) {
      responder = next;
    },
    hold() {
      let release = () => undefined as void;
      gate = new Promise<void>((resolve) => {
        release = () => {
          gate = undefined;
          resolve();
        };
      });
      return { release };
    },
    transport: async (request) => {
      const recorded: RecordedRequest = {
        ...request,
        events: JSON.parse(request.body) as Record<string, unknown>[],
      };
      const index = requests.length;
      requests.push(recorded);
      if (gate !== undefined) await gate;
      const answer = responder(recorded, index);
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
}
