import type { ToolParameter } from '../tool.types';

/** What kind of document a custom API tool provider was built from (Dify's `schema_type`). */
export type ApiSchemaType = 'openapi' | 'swagger' | 'openai_plugin';

/** The HTTP methods an OpenAPI path item can hold, in the order Dify lists a path's tools. */
export const OPENAPI_METHODS = ['get', 'post', 'put', 'delete', 'patch', 'head', 'options', 'trace'] as const;
export type OpenApiMethod = (typeof OPENAPI_METHODS)[number];

/** Where an OpenAPI parameter goes in the request. */
export type ParameterLocation = 'path' | 'query' | 'header' | 'cookie';

/** A JSON value as it comes out of a parsed schema document. */
export type JsonObject = { [key: string]: unknown };

/**
 * An OpenAPI parameter object as a bundle stores it: local `$ref`s already followed, so `name`,
 * `in` and `schema` are always there.
 */
export interface BundleParameter extends JsonObject {
  name: string;
  in: ParameterLocation;
  required?: boolean;
  description?: string;
  /** The value's schema, its own `$ref` followed (nested ones are left as they are). */
  schema?: JsonObject;
}

/**
 * The operation object a bundle stores (Dify's `openapi` field): the operation as the schema wrote
 * it, with `operationId` always set, `parameters` merged with the path item's and resolved, and the
 * request body's schema resolved — `allOf` merged and each property's own `$ref` followed — so that
 * running the tool never needs the rest of the document.
 */
export interface BundleOperation extends JsonObject {
  operationId: string;
  summary?: string;
  description?: string;
  parameters?: BundleParameter[];
  requestBody?: {
    required?: boolean;
    description?: string;
    content: Record<string, { schema?: JsonObject } & JsonObject>;
  } & JsonObject;
}

/**
 * One operation of a custom API tool provider: everything needed to describe it to a model and to
 * call it. Field names are Dify's `ApiToolBundle` (what Dify stores in `tools_str` and what the
 * console's schema preview lists as `parameters_schema`).
 */
export interface ApiToolBundle {
  /** `servers[0].url` (server variables replaced by their defaults) + the path, `{param}`s unfilled. */
  server_url: string;
  method: OpenApiMethod;
  /** The operation's description, else its summary. */
  summary: string | null;
  /** The operation's `operationId`, or one derived from path and method (see the parser). */
  operation_id: string;
  parameters: ToolParameter[];
  author: string;
  icon: string | null;
  openapi: BundleOperation;
}
