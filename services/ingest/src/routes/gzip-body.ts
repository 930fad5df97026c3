/**
 * Accepts `Content-Encoding: gzip` request bodies, which browsers and server SDKs use to cut
 * clickstream bandwidth several-fold. The body limit applies to the *decompressed* size (Fastify
 * enforces it on the stream returned here), so a small zip bomb is refused with 413; a corrupt
 * gzip stream is a 400; any other encoding is a 415.
 */
import { createGunzip } from 'node:zlib';
import type { Transform } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { ERROR_CODES, PermanentError } from '@recstream/errors';

type CountedStream = Transform & { receivedEncodedLength?: number };

export function registerGzipBodies(app: FastifyInstance): void {
  app.addHook('preParsing', async (request, reply, payload) => {
    const encoding = request.headers['content-encoding']?.trim().toLowerCase();
    if (encoding === undefined || encoding === '' || encoding === 'identity') return payload;
    if (encoding !== 'gzip') {
      throw new PermanentError(
        ERROR_CODES.invalidInput,
        `unsupported content-encoding ${encoding}; use gzip`,
        {
          details: { statusCode: 415 },
        },
      );
    }
    const gunzip: CountedStream = createGunzip();
    // Content-Length counts compressed bytes: tell Fastify how many arrived, so it can compare.
    gunzip.receivedEncodedLength = 0;
    payload.on('data', (chunk: Buffer) => {
      gunzip.receivedEncodedLength = (gunzip.receivedEncodedLength ?? 0) + chunk.length;
    });
    payload.on('error', (error) => gunzip.destroy(error));
    // Fastify listens for errors only on a body it reads. A route that reads none (GET, HEAD, an
    // unknown path) sent a corrupt gzip body would otherwise crash the process with an unhandled
    // 'error' event; when the body is read, Fastify's own listener still answers 400.
    gunzip.on('error', () => undefined);
    payload.pipe(gunzip);
    // Once answered (a 413 answers before the upload ends), stop inflating what a client still sends.
    reply.raw.once('finish', () => {
      payload.unpipe(gunzip);
      gunzip.destroy();
    });
    return Promise.resolve(gunzip);
  });
}
