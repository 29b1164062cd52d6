import type { OpenAPIObject } from '@nestjs/swagger';

type OperationObject = NonNullable<OpenAPIObject['paths'][string]['get']>;
type ResponseObject = { description: string; content: Record<string, { schema: { $ref: string } }> };

const ERROR_REF = { $ref: '#/components/schemas/ErrorResponseDto' };
const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

function errorResponse(description: string): ResponseObject {
  return { description, content: { 'application/json': { schema: ERROR_REF } } };
}

/**
 * Adds the error answers every operation can give, all with the `{error, message, details}` body,
 * so controllers declare only their success responses: 400 when it takes input, 401/403 when it
 * needs credentials, 404 when its path names a resource, and `default` for the rest (409, 429, 503...).
 */
export function withErrorResponses(document: OpenAPIObject): OpenAPIObject {
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method] as OperationObject | undefined;
      if (!operation) continue;
      const errors: Record<string, ResponseObject> = {};
      if (operation.requestBody || operation.parameters?.some((p) => 'in' in p && p.in === 'query')) {
        errors['400'] = errorResponse('The request is invalid; `details` names each bad field.');
      }
      if (operation.security?.length) {
        errors['401'] = errorResponse('No credentials, or an unknown, expired or revoked key or token.');
        errors['403'] = errorResponse('The credentials lack the role this operation needs.');
      }
      if (path.includes('{')) errors['404'] = errorResponse('Nothing of the caller’s tenant has this id.');
      errors.default = errorResponse('Any other error, in the same shape.');
      operation.responses = { ...errors, ...operation.responses };
    }
  }
  return document;
}
