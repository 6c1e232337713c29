import { ApiSchemaErrorKind, ApiSchemaException } from './api-schema.error';
import type { JsonObject } from './api-tool-bundle';
import { formatLocation, isObject } from './schema-location';

/** How many `$ref`s may lead one to the next before the chain counts as runaway. */
const MAX_REF_CHAIN = 32;

/**
 * Follows local `$ref`s (`#/components/schemas/Pet`) inside one document. External references were
 * refused when the document was loaded, and are refused again here should one reach this far. A
 * chain of references that comes back to itself is an error naming the chain; a reference to a
 * part that does not exist is an error naming both.
 *
 * Also copies the parts of the document a bundle keeps, within a budget of values shared by the
 * whole parse: many operations can point at one large schema, and the copies must stay bounded.
 */
export class LocalRefs {
  private copyBudget: number;

  constructor(
    private readonly root: JsonObject,
    maxCopiedNodes: number,
  ) {
    this.copyBudget = maxCopiedNodes;
  }

  /** `node` itself, or what its `$ref` chain ends at. `where` names the node in error messages. */
  resolve(node: unknown, where: string): unknown {
    let current = node;
    const chain: string[] = [];
    while (isObject(current) && Object.hasOwn(current, '$ref')) {
      const ref = current.$ref;
      if (typeof ref !== 'string') {
        throw new ApiSchemaException(ApiSchemaErrorKind.BadRef, `$ref at ${where} must be a string`, { path: where });
      }
      if (chain.includes(ref)) {
        throw new ApiSchemaException(
          ApiSchemaErrorKind.BadRef,
          `circular $ref at ${where}: ${[...chain, ref].join(' → ')}`,
          { path: where },
        );
      }
      if (chain.length >= MAX_REF_CHAIN) {
        throw new ApiSchemaException(
          ApiSchemaErrorKind.BadRef,
          `$ref at ${where} leads through more than ${MAX_REF_CHAIN} references`,
          { path: where },
        );
      }
      chain.push(ref);
      current = this.lookup(ref, where);
    }
    return current;
  }

  /** Like `resolve`, for places where only an object will do. */
  resolveObject(node: unknown, where: string, what: string): JsonObject {
    const resolved = this.resolve(node, where);
    if (!isObject(resolved)) {
      throw new ApiSchemaException(ApiSchemaErrorKind.Invalid, `${what} at ${where} must be an object`, {
        path: where,
      });
    }
    return resolved;
  }

  /** Counts `values` made for a bundle some other way (a tool parameter) against the budget. */
  charge(values: number): void {
    this.copyBudget -= values;
    if (this.copyBudget < 0) throw tooMuch();
  }

  /** A deep copy of a JSON value, counted against the parse's budget. */
  copy<T>(value: T): T {
    return this.copyValue(value) as T;
  }

  private copyValue(value: unknown): unknown {
    if (--this.copyBudget < 0) throw tooMuch();
    if (Array.isArray(value)) return value.map((item) => this.copyValue(item));
    if (!isObject(value)) return value;
    const out: JsonObject = {};
    for (const key of Object.keys(value)) {
      // defineProperty: a key named `__proto__` stays a plain key, as JSON.parse made it.
      Object.defineProperty(out, key, {
        value: this.copyValue(value[key]),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }

  private lookup(ref: string, where: string): unknown {
    if (!ref.startsWith('#')) {
      throw new ApiSchemaException(
        ApiSchemaErrorKind.ExternalRef,
        `$ref ${JSON.stringify(ref)} at ${where} points outside the document; only local references (#/…) are supported`,
        { path: where },
      );
    }
    const pointer = ref.slice(1);
    if (pointer === '') return this.root;
    if (!pointer.startsWith('/')) {
      throw new ApiSchemaException(
        ApiSchemaErrorKind.BadRef,
        `$ref ${JSON.stringify(ref)} at ${where} is not a JSON pointer (#/…)`,
        { path: where },
      );
    }
    const segments: string[] = [];
    let current: unknown = this.root;
    for (const rawSegment of pointer.slice(1).split('/')) {
      let segment: string;
      try {
        segment = decodeURIComponent(rawSegment).replace(/~1/g, '/').replace(/~0/g, '~');
      } catch {
        throw new ApiSchemaException(
          ApiSchemaErrorKind.BadRef,
          `$ref ${JSON.stringify(ref)} at ${where} is malformed`,
          {
            path: where,
          },
        );
      }
      segments.push(segment);
      if (Array.isArray(current) && /^(0|[1-9]\d*)$/.test(segment) && Number(segment) < current.length) {
        current = current[Number(segment)];
      } else if (isObject(current) && Object.hasOwn(current, segment)) {
        current = current[segment];
      } else {
        throw new ApiSchemaException(
          ApiSchemaErrorKind.BadRef,
          `$ref ${JSON.stringify(ref)} at ${where} points to nothing: the document has no ${formatLocation(segments)}`,
          { path: where },
        );
      }
    }
    return current;
  }
}

function tooMuch(): ApiSchemaException {
  return new ApiSchemaException(
    ApiSchemaErrorKind.TooComplex,
    'the schema expands too much once its $refs are followed (large schemas shared by many operations?); ' +
      'split it into several providers',
  );
}
