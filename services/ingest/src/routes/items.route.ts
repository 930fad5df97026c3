/** POST /v1/items — catalog upserts: one item, a JSON array or NDJSON, per-record verdicts. */
import type { FastifyInstance } from 'fastify';
import { ERROR_CODES, PermanentError } from '@recstream/errors';
import { CatalogItem, type ContractValidators } from '@recstream/schemas';
import type { Publisher } from '../handlers/event-publisher.js';
import { bodyRecords } from './batch-body.js';
import { AcceptedResponse, ErrorResponse, type AcceptedResponse as Accepted } from './ingest-responses.js';

export function registerItemsRoute(
  app: FastifyInstance,
  deps: { validators: ContractValidators; publisher: Publisher; maxBatchItems: number },
): void {
  app.post(
    '/v1/items',
    {
      schema: {
        summary: 'Upsert catalog items',
        tags: ['catalog'],
        body: CatalogItem,
        response: { 202: AcceptedResponse, 400: ErrorResponse, 413: ErrorResponse, 503: ErrorResponse },
      },
      validatorCompiler: () => () => true,
    },
    async (request, reply) => {
      const records = bodyRecords(request.body);
      if (records.length > deps.maxBatchItems) {
        throw new PermanentError(
          ERROR_CODES.payloadTooLarge,
          `batch of ${records.length} items exceeds the maximum of ${deps.maxBatchItems}`,
          { details: { statusCode: 413 } },
        );
      }
      const result: Accepted = { accepted: 0, rejected: [] };
      const items: CatalogItem[] = [];
      records.forEach((record, index) => {
        const verdict = record.ok ? deps.validators.validateItem(record.value) : record;
        if (verdict.ok) items.push(verdict.value);
        else result.rejected.push({ index, problems: verdict.problems });
      });
      if (items.length === 0) {
        return reply.code(400).send({
          error: {
            code: ERROR_CODES.invalidInput,
            message: 'no valid item in the request',
            rejected: result.rejected,
          },
        });
      }
      await deps.publisher.publishItems(items);
      result.accepted = items.length;
      return reply.code(202).send(result);
    },
  );
}
