import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

interface Operation {
  readonly operationId: string;
  readonly 'x-roles': string[];
  readonly parameters: { name: string; in: string; required: boolean }[];
  readonly responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
}
export type OpenApiDocument = {
  readonly paths: Record<string, Record<string, Operation>>;
  readonly components: { readonly schemas: Record<string, unknown> };
};

export interface DocumentedOperation extends Operation {
  readonly method: string;
  /** The OpenAPI path, e.g. /api/calls/{callId}. */
  readonly path: string;
}

/** Every operation of the document, flat. */
export const operationsOf = (document: OpenApiDocument): DocumentedOperation[] =>
  Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ ...operation, method, path })),
  );

/** Checks the document against the OpenAPI 3.1 meta-schema; returns its errors (none when valid). */
export const documentErrors = async (document: unknown): Promise<unknown[]> => {
  const validator = new Validator();
  const result = await validator.validate(document as Parameters<Validator['validate']>[0]);
  return result.valid ? [] : (result.errors as unknown[]);
};

/** A validator of JSON responses against the document's 200 schemas, by operationId. */
export const responseValidator = (document: OpenApiDocument) => {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  const operations = new Map(operationsOf(document).map((o) => [o.operationId, o]));
  return (operationId: string, status: number, body: unknown): string[] => {
    const operation = operations.get(operationId);
    if (!operation) return [`no operation ${operationId} in the document`];
    const response = operation.responses[String(status)];
    const schema = response?.content?.['application/json']?.schema;
    if (!schema) return [`operation ${operationId} documents no JSON body for ${status}`];
    const resolved =
      (schema as { $ref?: string }).$ref === '#/components/schemas/Error'
        ? document.components.schemas['Error']
        : schema;
    const validate = ajv.compile(resolved as object);
    return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
  };
};
