import { createRequire } from 'node:module';
import type { FastifyServerOptions } from 'fastify';

/**
 * Fastify's JSON Schema compilers (ajv for requests, fast-json-stringify for replies), handed to it
 * through its public `schemaController.compilersFactory`, but built lazily: each route's schema is
 * compiled the first time that route runs, and the compilers' hundred-odd modules load with the
 * first. Fastify would otherwise load them when it is created and compile every route's schemas
 * before listening, which costs start-up time no request has asked for yet.
 */
type CompilersFactory = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;
type BuildValidator = NonNullable<CompilersFactory['buildValidator']>;
type BuildSerializer = NonNullable<CompilersFactory['buildSerializer']>;
type ValidatorCompiler = ReturnType<BuildValidator>;
type SerializerCompiler = ReturnType<BuildSerializer>;
type Validate = ((data: unknown) => unknown) & { errors?: unknown };

const requireHere = createRequire(import.meta.url);
let ajvCompiler: BuildValidator | undefined;
let jsonCompiler: BuildSerializer | undefined;

export const lazySchemaCompilers: CompilersFactory = {
  buildValidator: (externalSchemas, options) => {
    let compiler: ValidatorCompiler | undefined;
    return ((route: Parameters<ValidatorCompiler>[0]) => {
      let validate: Validate | undefined;
      const lazy: Validate = (data) => {
        validate ??= (compiler ??= (ajvCompiler ??= (requireHere('@fastify/ajv-compiler') as () => BuildValidator)())(externalSchemas, options))(route) as Validate;
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
      let serialize: ((data: unknown) => string) | undefined;
      return (data: unknown) => {
        serialize ??= (compiler ??= (jsonCompiler ??= (requireHere('@fastify/fast-json-stringify-compiler') as () => BuildSerializer)())(externalSchemas, options))(route) as (data: unknown) => string;
        return serialize(data);
      };
    }) as SerializerCompiler;
  },
};
