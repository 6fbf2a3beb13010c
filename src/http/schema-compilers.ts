import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { FastifyServerOptions } from 'fastify';

/**
 * Fastify's JSON Schema compilers (ajv for requests, fast-json-stringify for replies), handed to it
 * through its public `schemaController.compilersFactory`.
 *
 * The build compiles every route's schemas ahead of time with the compilers' own standalone modes
 * (scripts/emit-route-schemas.mjs writes dist/http/compiled-schemas/), so a running server loads one
 * small generated module the first time a route runs, and neither ajv nor fast-json-stringify at all.
 * A schema without a compiled module (sources run by tsx or vitest, or a route the build did not
 * register) is compiled the first time its route runs. Either way nothing is compiled before a request
 * asks for it: Fastify would otherwise compile every route's schemas before listening, which costs
 * start-up time no request has asked for yet.
 */
export type CompilersFactory = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;
type BuildValidator = NonNullable<CompilersFactory['buildValidator']>;
type BuildSerializer = NonNullable<CompilersFactory['buildSerializer']>;
type ValidatorCompiler = ReturnType<BuildValidator>;
type SerializerCompiler = ReturnType<BuildSerializer>;
type Validate = ((data: unknown) => unknown) & { errors?: unknown };
type Serialize = (data: unknown) => string;

const requireHere = createRequire(import.meta.url);
const COMPILED = new URL('./compiled-schemas/', import.meta.url);
let ajvCompiler: BuildValidator | undefined;
let jsonCompiler: BuildSerializer | undefined;

/**
 * The file name of a schema's compiled module: what it is for (a validator of a request part, or a
 * serializer of a reply status) and the schema itself, so a route's schema finds its module whatever
 * the route, and a changed schema never finds an old one.
 */
export function compiledSchemaFile(kind: 'validator' | 'serializer', part: string | number | undefined, schema: unknown): string {
  const digest = createHash('sha256').update(JSON.stringify([kind, String(part), schema])).digest('base64url').slice(0, 24);
  return `${kind === 'validator' ? 'v' : 's'}-${digest}.cjs`;
}

/** The compiled module for a schema, or undefined when the build made none (or it cannot load here). */
function compiled<T>(file: string): T | undefined {
  try {
    return requireHere(new URL(file, COMPILED).pathname) as T;
  } catch {
    return undefined;
  }
}

export const routeSchemaCompilers: CompilersFactory = {
  buildValidator: (externalSchemas, options) => {
    let compiler: ValidatorCompiler | undefined;
    return ((route: Parameters<ValidatorCompiler>[0]) => {
      let validate: Validate | undefined;
      const lazy: Validate = (data) => {
        validate ??=
          compiled<Validate>(compiledSchemaFile('validator', route.httpPart, route.schema)) ??
          ((compiler ??= (ajvCompiler ??= (requireHere('@fastify/ajv-compiler') as () => BuildValidator)())(externalSchemas, options))(route) as Validate);
        const result = validate(data);
        // Fastify reads why a body failed from the validator itself.
        lazy.errors = validate.errors;
        return result;
      };
      return lazy;
    }) as ValidatorCompiler;
  },
  buildSerializer: (externalSchemas, options) => {
    let compiler: SerializerCompiler | undefined;
    return ((route: Parameters<SerializerCompiler>[0]) => {
      let serialize: Serialize | undefined;
      return (data: unknown) => {
        serialize ??=
          compiled<Serialize>(compiledSchemaFile('serializer', route.httpStatus, route.schema)) ??
          ((compiler ??= (jsonCompiler ??= (requireHere('@fastify/fast-json-stringify-compiler') as () => BuildSerializer)())(externalSchemas, options))(route) as Serialize);
        return serialize(data);
      };
    }) as SerializerCompiler;
  },
};
