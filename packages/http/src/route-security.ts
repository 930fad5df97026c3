/**
 * OpenAPI for the routes a key guard protects: their security requirement, the schemes it names,
 * and the answers a refused request gets (401, 403, 429).
 */
import type { FastifySchema, RouteOptions } from 'fastify';

export type SecurityScheme =
  | { readonly type: 'apiKey'; readonly in: 'header'; readonly name: string; readonly description: string }
  | { readonly type: 'http'; readonly scheme: 'bearer'; readonly description: string };

export interface RouteSecurity {
  /** Any one of these requirements lets a request in, e.g. `[{ writeKey: [] }]`. */
  readonly security: readonly Record<string, readonly string[]>[];
  /** The schemes the requirements name. */
  readonly schemes: Readonly<Record<string, SecurityScheme>>;
  /** The body of a refused request. */
  readonly errorResponse: unknown;
  /** The route's description, from the one it has; unchanged when absent. */
  readonly describe?: (description: string | undefined) => string;
}

/**
 * Marks a route as guarded in OpenAPI; call it from the guarded scope's `onRoute` hook.
 * createHttpService registers swagger without `components`, so the schemes are added while the
 * document is generated, through @fastify/swagger's per-route `swaggerTransform` (it runs before
 * the route's security is resolved).
 */
export function documentRouteSecurity(route: RouteOptions, guard: RouteSecurity): void {
  const schema: FastifySchema & { security?: unknown; response?: unknown; description?: string } =
    route.schema ?? {};
  route.schema = {
    ...schema,
    security: guard.security,
    ...(guard.describe === undefined ? {} : { description: guard.describe(schema.description) }),
    response: {
      ...(schema.response as Record<string, unknown> | undefined),
      401: guard.errorResponse,
      403: guard.errorResponse,
      429: guard.errorResponse,
    },
  };
  route.config = {
    ...route.config,
    swaggerTransform: ({ schema: routeSchema, url, ...document }) => {
      if ('openapiObject' in document) {
        const components = (document.openapiObject.components ??= {});
        components.securitySchemes = { ...components.securitySchemes, ...guard.schemes };
      }
      return { schema: routeSchema, url };
    },
  };
}
