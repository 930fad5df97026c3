/**
 * Catalog intake, to the compacted items topic (latest version per item wins):
 * - POST /v1/items — upserts: one item, a JSON array or NDJSON, with per-record verdicts; refused
 *   records are parked in the DLQ with their reasons, like events;
 * - DELETE /v1/items/{item_id} and POST /v1/items/delete `{ item_ids: [...] }` — deletions, as
 *   tombstones (a null value per id): the sink marks the item deleted in ClickHouse, the feature
 *   service drops it from serving.
 */
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { ERROR_CODES, PermanentError } from '@recstream/errors';
import {
  CatalogItem,
  CollectorAcceptedResponse as AcceptedResponse,
  CollectorErrorResponse as ErrorResponse,
  ID_MAX_LENGTH,
  ID_PATTERN,
  type ContractValidators,
  type FieldProblem,
} from '@recstream/schemas';
import type { Publisher } from '../handlers/event-publisher.js';
import { judgeItems } from '../handlers/intake.js';
import type { IngestMetrics } from '../ingest.metrics.js';
import { answerBatch } from './batch-answer.js';
import { assertBatchSize, bodyRecords } from './batch-body.js';

export interface ItemsRouteDeps {
  readonly validators: ContractValidators;
  readonly publisher: Publisher;
  readonly metrics: IngestMetrics;
  readonly maxBatchItems: number;
}

const ItemDeletion = Type.Object(
  { item_ids: Type.Array(Type.String(), { description: 'Ids of the items to delete' }) },
  { additionalProperties: false },
);

const ITEM_ID_PATTERN = new RegExp(ID_PATTERN);

/** Why `value` is not an item id, or undefined when it is one. */
function itemIdProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  if (value.length < 1 || value.length > ID_MAX_LENGTH) return `must be 1 to ${ID_MAX_LENGTH} characters`;
  if (!ITEM_ID_PATTERN.test(value)) return `must match ${ID_PATTERN}`;
  return undefined;
}

function itemDeletionIds(body: unknown): unknown[] {
  const ids = typeof body === 'object' && body !== null && 'item_ids' in body ? body.item_ids : undefined;
  if (!Array.isArray(ids) || Object.keys(body as object).length !== 1) {
    throw new PermanentError(ERROR_CODES.invalidInput, 'body must be { "item_ids": [ ... ] }', {
      details: { statusCode: 400 },
    });
  }
  return ids;
}

/** Records a deletion request carries, for the rate limit; undefined for other bodies. */
export function itemDeletionCount(body: unknown): number | undefined {
  if (typeof body !== 'object' || body === null || !('item_ids' in body)) return undefined;
  return Array.isArray(body.item_ids) ? body.item_ids.length : undefined;
}

export function registerItemsRoute(app: FastifyInstance, deps: ItemsRouteDeps): void {
  app.post(
    '/v1/items',
    {
      schema: {
        summary: 'Upsert catalog items',
        description: `A single item, a JSON array of up to ${deps.maxBatchItems} items, or NDJSON (application/x-ndjson).`,
        tags: ['catalog'],
        body: CatalogItem,
        response: { 202: AcceptedResponse, 400: ErrorResponse, 413: ErrorResponse, 503: ErrorResponse },
      },
      validatorCompiler: () => () => true,
    },
    async (request, reply) => {
      const records = bodyRecords(request.body);
      assertBatchSize(records.length, deps.maxBatchItems, 'items');
      return answerBatch(request, reply, judgeItems(records, deps.validators), {
        noun: 'item',
        route: '/v1/items',
        publish: (items) => deps.publisher.publishItems(items),
        acceptedTotal: deps.metrics.itemsAccepted,
        rejectedTotal: deps.metrics.itemsRejected,
        publisher: deps.publisher,
        metrics: deps.metrics,
      });
    },
  );

  app.delete<{ Params: { item_id: string } }>(
    '/v1/items/:item_id',
    {
      schema: {
        summary: 'Delete a catalog item',
        tags: ['catalog'],
        params: Type.Object({ item_id: Type.String() }),
        response: { 202: AcceptedResponse, 400: ErrorResponse, 503: ErrorResponse },
      },
    },
    async (request, reply) => {
      const problem = itemIdProblem(request.params.item_id);
      if (problem !== undefined) {
        throw new PermanentError(ERROR_CODES.invalidInput, `/item_id ${problem}`, {
          details: { statusCode: 400 },
        });
      }
      await deps.publisher.deleteItems([request.params.item_id]);
      deps.metrics.itemsDeleted.inc();
      return reply.code(202).send({ accepted: 1, rejected: [] });
    },
  );

  app.post(
    '/v1/items/delete',
    {
      schema: {
        summary: 'Delete catalog items in bulk',
        description: `Up to ${deps.maxBatchItems} ids; each invalid id is reported at its index, the others deleted.`,
        tags: ['catalog'],
        body: ItemDeletion,
        response: { 202: AcceptedResponse, 400: ErrorResponse, 413: ErrorResponse, 503: ErrorResponse },
      },
      // Per-id verdicts are ours to give (Fastify's validator would coerce 42 into "42").
      validatorCompiler: () => () => true,
    },
    async (request, reply) => {
      const ids = itemDeletionIds(request.body);
      assertBatchSize(ids.length, deps.maxBatchItems, 'items');
      const valid: string[] = [];
      const rejected: { index: number; problems: FieldProblem[] }[] = [];
      ids.forEach((id, index) => {
        const problem = itemIdProblem(id);
        if (problem === undefined) valid.push(id as string);
        else rejected.push({ index, problems: [{ field: `/item_ids/${index}`, reason: problem }] });
      });
      if (valid.length === 0) {
        return reply.code(400).send({
          error: { code: ERROR_CODES.invalidInput, message: 'no valid item id in the request', rejected },
        });
      }
      await deps.publisher.deleteItems(valid);
      deps.metrics.itemsDeleted.inc(valid.length);
      return reply.code(202).send({ accepted: valid.length, rejected });
    },
  );
}
