import { ApiSchemaErrorKind, ApiSchemaException } from './api-schema.error';
import { OPENAPI_METHODS, type JsonObject } from './api-tool-bundle';
import type { LocalRefs } from './local-refs';
import { formatLocation, isObject, own, ownString } from './schema-location';

/** The parameter fields of Swagger 2.0 that OpenAPI 3 moved into the parameter's `schema`. */
const SCHEMA_FIELDS = [
  'type',
  'format',
  'items',
  'enum',
  'default',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minLength',
  'maxLength',
  'pattern',
  'minItems',
  'maxItems',
  'uniqueItems',
  'multipleOf',
];

/**
 * Swagger 2.0 → the OpenAPI 3 shape the parser reads (Dify's `parse_swagger_to_openapi`, done
 * more fully): the server from `servers` when a document has them (Dify reads only those), else
 * from `schemes`, `host` and `basePath`; `in: body` and `in: formData` parameters become a request
 * body (JSON, or a form as `consumes` says); a parameter's `type`, `default`… move into its
 * `schema`; `#/definitions/…` become `#/components/schemas/…`. An operation without a summary or
 * description is noted in `warnings.missing_summary`, as Dify does.
 */
export function swaggerToOpenApi(swagger: JsonObject, refs: LocalRefs, warnings: Record<string, string>): JsonObject {
  const info = isObject(own(swagger, 'info')) ? (own(swagger, 'info') as JsonObject) : {};
  const paths = own(swagger, 'paths');
  if (!isObject(paths) || Object.keys(paths).length === 0) {
    throw new ApiSchemaException(ApiSchemaErrorKind.Invalid, 'No paths found in the swagger schema.', {
      path: 'paths',
    });
  }
  const globalConsumes = stringList(own(swagger, 'consumes'));

  const outPaths: JsonObject = {};
  for (const [path, rawItem] of Object.entries(paths)) {
    if (path.startsWith('x-')) continue;
    const itemWhere = formatLocation(['paths', path]);
    const item = refs.resolveObject(rawItem, itemWhere, 'A path item');
    const shared = Array.isArray(own(item, 'parameters')) ? (own(item, 'parameters') as unknown[]) : [];
    const outItem: JsonObject = {};
    for (const method of OPENAPI_METHODS) {
      const operation = own(item, method);
      if (operation === undefined) continue;
      const where = formatLocation(['paths', path, method]);
      if (!isObject(operation)) {
        throw new ApiSchemaException(ApiSchemaErrorKind.Invalid, `the operation at ${where} must be an object`, {
          path: where,
        });
      }
      if (!ownString(operation, 'summary') && !ownString(operation, 'description')) {
        warnings.missing_summary = `No summary or description found in operation ${method} ${path}.`;
      }
      outItem[method] = convertOperation(operation, shared, where, globalConsumes, refs);
    }
    Object.defineProperty(outPaths, path, { value: outItem, enumerable: true, writable: true, configurable: true });
  }

  const definitions = own(swagger, 'definitions');
  const responses = own(swagger, 'responses');
  return {
    openapi: '3.0.0',
    info: {
      title: ownString(info, 'title') ?? 'Swagger',
      description: ownString(info, 'description') ?? 'Swagger',
      version: ownString(info, 'version') ?? '1.0.0',
    },
    servers: servers(swagger),
    paths: outPaths,
    components: {
      schemas: isObject(definitions) ? rewriteRefs(refs.copy(definitions)) : {},
      responses: isObject(responses) ? rewriteRefs(refs.copy(responses)) : {},
    },
  };
}

function servers(swagger: JsonObject): unknown[] {
  const declared = own(swagger, 'servers');
  if (Array.isArray(declared) && declared.length > 0) return declared;
  const host = ownString(swagger, 'host');
  if (!host) {
    throw new ApiSchemaException(
      ApiSchemaErrorKind.Invalid,
      'No server found in the swagger schema: give its host (and basePath), or servers.',
      { path: 'host' },
    );
  }
  const schemes = stringList(own(swagger, 'schemes'));
  const scheme = schemes.includes('https') || schemes.length === 0 ? 'https' : schemes[0];
  const basePath = ownString(swagger, 'basePath') ?? '';
  return [{ url: `${scheme}://${host}${basePath === '/' ? '' : basePath}` }];
}

function convertOperation(
  operation: JsonObject,
  shared: unknown[],
  where: string,
  globalConsumes: string[],
  refs: LocalRefs,
): JsonObject {
  const own_ = Array.isArray(own(operation, 'parameters')) ? (own(operation, 'parameters') as unknown[]) : [];
  const resolved = new Map<string, { parameter: JsonObject; where: string }>();
  const collect = (list: unknown[], listWhere: string) =>
    list.forEach((raw, index) => {
      const at = `${listWhere}[${index}]`;
      const parameter = refs.resolveObject(raw, at, 'A parameter');
      resolved.set(`${ownString(parameter, 'in')}:${ownString(parameter, 'name')}`, { parameter, where: at });
    });
  collect(shared, where.replace(/\.[a-z]+$/, '.parameters'));
  collect(own_, `${where}.parameters`);

  const consumes = stringList(own(operation, 'consumes'));
  const mediaTypes = consumes.length > 0 ? consumes : globalConsumes;
  const parameters: JsonObject[] = [];
  let body: JsonObject | undefined;
  const formProperties: JsonObject = {};
  const formRequired: string[] = [];
  let hasFile = false;

  for (const { parameter, where: at } of resolved.values()) {
    const location = ownString(parameter, 'in');
    const name = ownString(parameter, 'name');
    if (!name) {
      throw new ApiSchemaException(ApiSchemaErrorKind.Invalid, `the parameter at ${at} has no name`, { path: at });
    }
    if (location === 'body') {
      body = parameter;
    } else if (location === 'formData') {
      const schema = schemaOf(parameter, refs);
      if (own(parameter, 'type') === 'file') hasFile = true;
      Object.defineProperty(formProperties, name, {
        value: schema,
        enumerable: true,
        writable: true,
        configurable: true,
      });
      if (own(parameter, 'required') === true) formRequired.push(name);
    } else {
      const converted: JsonObject = { name, in: location, schema: schemaOf(parameter, refs) };
      if (location === 'path' || own(parameter, 'required') === true) converted.required = true;
      const description = ownString(parameter, 'description');
      if (description !== undefined) converted.description = description;
      parameters.push(converted);
    }
  }

  const out: JsonObject = {};
  for (const key of Object.keys(operation)) {
    if (key === 'parameters' || key === 'consumes' || key === 'produces') continue;
    Object.defineProperty(out, key, {
      value: rewriteRefs(refs.copy(operation[key])),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  out.parameters = parameters;

  if (body) {
    const mediaType = mediaTypes.find((type) => /json/i.test(type)) ?? mediaTypes[0] ?? 'application/json';
    const requestBody: JsonObject = {
      content: { [mediaType]: { schema: rewriteRefs(refs.copy(own(body, 'schema') ?? {})) } },
    };
    if (own(body, 'required') === true) requestBody.required = true;
    const description = ownString(body, 'description');
    if (description !== undefined) requestBody.description = description;
    out.requestBody = requestBody;
  } else if (Object.keys(formProperties).length > 0) {
    const mediaType =
      hasFile || mediaTypes.includes('multipart/form-data')
        ? 'multipart/form-data'
        : 'application/x-www-form-urlencoded';
    const schema: JsonObject = { type: 'object', properties: formProperties };
    if (formRequired.length > 0) schema.required = formRequired;
    out.requestBody = { content: { [mediaType]: { schema } } };
  }
  return out;
}

/** A Swagger 2.0 parameter's value schema in OpenAPI 3 form (`type: file` → a binary string). */
function schemaOf(parameter: JsonObject, refs: LocalRefs): JsonObject {
  const schema: JsonObject = {};
  for (const field of SCHEMA_FIELDS) {
    if (Object.hasOwn(parameter, field)) schema[field] = rewriteRefs(refs.copy(parameter[field]));
  }
  if (schema.type === 'file') {
    schema.type = 'string';
    schema.format = 'binary';
  }
  const description = ownString(parameter, 'description');
  if (description !== undefined) schema.description = description;
  return schema;
}

/** `#/definitions/X` → `#/components/schemas/X`, `#/responses/X` → `#/components/responses/X`, in place. */
function rewriteRefs<T>(value: T): T {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (Array.isArray(node)) {
      stack.push(...(node as unknown[]));
    } else if (isObject(node)) {
      for (const key of Object.keys(node)) {
        const child = node[key];
        if (key === '$ref' && typeof child === 'string') {
          node[key] = child
            .replace(/^#\/definitions\//, '#/components/schemas/')
            .replace(/^#\/responses\//, '#/components/responses/');
        } else {
          stack.push(child);
        }
      }
    }
  }
  return value;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}
