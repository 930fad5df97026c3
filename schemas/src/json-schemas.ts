/**
 * The contracts as plain JSON Schema documents, for shops and tools that do not use TypeScript.
 * Generated from the TypeBox definitions (the source of truth) into `schemas/json/`.
 */
import { ClickstreamEvent } from './events/event.schema.js';
import { CatalogItem } from './items/item.schema.js';

export const JSON_SCHEMA_FILES: Readonly<Record<string, object>> = {
  'event.v1.schema.json': ClickstreamEvent,
  'item.v1.schema.json': CatalogItem,
};

export function renderJsonSchema(schema: object): string {
  return `${JSON.stringify({ $schema: 'https://json-schema.org/draft/2020-12/schema', ...schema }, null, 2)}\n`;
}
