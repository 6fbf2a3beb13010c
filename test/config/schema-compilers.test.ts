import { describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/app.js';

/**
 * buildApp hands Fastify schema compilers that load ajv and fast-json-stringify only when a route has
 * a schema (start-up skips about 100 modules). A route that does declare one must behave as in plain
 * Fastify: the body validated, the response serialised by its schema.
 */
describe('schema compilers loaded on demand', () => {
  it('validates a request body and serialises a response by their schemas', async () => {
    const { app } = await buildTestApp();
    app.post(
      '/test/schema',
      {
        schema: {
          body: { type: 'object', required: ['n'], properties: { n: { type: 'integer' } } },
          response: { 200: { type: 'object', properties: { doubled: { type: 'integer' } } } },
        },
      },
      async (request) => ({ doubled: (request.body as { n: number }).n * 2, dropped: 'not in the response schema' }),
    );
    await app.ready();

    const ok = await app.inject({ method: 'POST', url: '/test/schema', payload: { n: 21 } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ doubled: 42 });

    const bad = await app.inject({ method: 'POST', url: '/test/schema', payload: { n: 'x' } });
    expect(bad.statusCode).toBe(400);
    await app.close();
  });
});
