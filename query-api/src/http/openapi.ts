import { z } from 'zod';
import type { QueryRoute } from './route.js';

type JsonSchema = Record<string, unknown>;

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
};

/** `/api/calls/:callId` → `/api/calls/{callId}` */
const openApiPath = (path: string): string => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

const ErrorBody = z.object({
  error: z.object({ code: z.string(), message: z.string(), field: z.string().optional() }),
});

const parametersOf = (schema: z.ZodType | undefined, where: 'query' | 'path'): JsonSchema[] => {
  if (!schema) return [];
  const object = jsonSchema(schema, 'input') as {
    properties?: Record<string, JsonSchema>;
    required?: string[];
  };
  return Object.entries(object.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || (object.required ?? []).includes(name),
    ...(typeof property['description'] === 'string' && { description: property['description'] }),
    schema: property,
  }));
};

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

/**
 * The OpenAPI 3.1 document of the query API, generated from the routes themselves, so nothing is served that
 * the document does not describe. `x-roles` on each operation is the role matrix.
 */
export const openApiDocument = (routes: readonly QueryRoute[], info: { version: string }): JsonSchema => {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const success =
      'mediaType' in route.response
        ? {
            description: route.response.description,
            content: { [route.response.mediaType]: { schema: { type: 'string' } } },
          }
        : {
            description: 'OK',
            content: { 'application/json': { schema: jsonSchema(route.response, 'output') } },
          };
    const tenantParameter = {
      name: 'tenantId',
      in: 'query',
      required: false,
      description:
        'Super admins: the tenant to read (required unless the route is platform-wide). Anyone else: may only repeat their own.',
      schema: { type: 'string' },
    };
    (paths[openApiPath(route.path)] ??= {})[route.method] = {
      operationId: route.operationId,
      summary: route.summary,
      tags: [route.tag],
      'x-roles': route.public ? ['anyone'] : ['super_admin', ...route.roles],
      'x-api-key-scope': route.scope,
      ...(route.feature !== undefined && { 'x-plan-feature': route.feature }),
      security: route.public ? [] : [{ bearer: [] }],
      parameters: [
        ...parametersOf(route.params, 'path'),
        ...parametersOf(route.query, 'query'),
        ...(route.public ? [] : [tenantParameter]),
      ],
      ...(route.body !== undefined && {
        requestBody: {
          required: false,
          content: { 'application/json': { schema: jsonSchema(route.body, 'input') } },
        },
      }),
      responses: {
        200: success,
        400: errorResponse('Invalid parameters; nothing was read'),
        401: errorResponse('No valid session or API key'),
        403: errorResponse('The role may not call this, or the tenant is not yours'),
        404: errorResponse('Not found in your tenant'),
        429: errorResponse('Too many requests for this key or address'),
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'CustomerCare Pro query API',
      version: info.version,
      description:
        'The read side: analytics, live metrics, calls and transcripts, audit trails and exports. Tenant scope comes from the credentials.',
    },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'A session token or an API key' },
      },
      schemas: { Error: jsonSchema(ErrorBody, 'output') },
    },
    paths,
  };
};
