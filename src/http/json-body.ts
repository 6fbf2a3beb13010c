import type { FastifyInstance, FastifyRequest } from 'fastify';

/**
 * JSON bodies with a depth bound. No Auth0 body nests more than a few levels (metadata objects
 * included), while a body of 20,000 nested arrays parses fine and then overflows the stack of whatever
 * walks it (a String() of the value, a deep copy, a serialiser), long after the request was accepted.
 * Such bodies are refused with a 400 before they reach a route, in each API's own error shape (the
 * error handler), and Fastify's own parser (with its prototype-poisoning checks) does the parsing.
 */
export const MAX_JSON_DEPTH = 32;

export function installJsonBodyParser(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser(app.initialConfig.onProtoPoisoning ?? 'error', app.initialConfig.onConstructorPoisoning ?? 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (jsonDepth(body as string) > MAX_JSON_DEPTH) {
      done(Object.assign(new Error(`The JSON body nests deeper than ${MAX_JSON_DEPTH} levels`), { statusCode: 400 }), undefined);
      return;
    }
    parse(request, body as string, done);
  });
}

/** The deepest nesting of objects and arrays in a JSON text, counted without parsing it (brackets inside strings do not count). */
export function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) deepest = Math.max(deepest, ++depth);
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
}

/** A request's body as the object of fields it is (JSON or a form), or {} for anything else. */
export function bodyOf(request: Pick<FastifyRequest, 'body'>): Record<string, unknown> {
  const { body } = request;
  return body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}

/**
 * A request that sends no body at all (POST /userinfo with the token in its header, a bodiless
 * POST /oauth/revoke) is read as an empty one, so route schemas describe the fields of an object and
 * each route's own checks word what is missing, as before schemas existed.
 */
export function treatMissingBodyAsEmpty(app: FastifyInstance): void {
  const emptyIfMissing = async (request: FastifyRequest): Promise<void> => {
    if (request.body === undefined || request.body === null) request.body = {};
  };
  // Only routes with a body schema get the hook: the others (every GET) pay nothing for it.
  app.addHook('onRoute', (route) => {
    if (!route.schema?.body) return;
    const existing = route.preValidation;
    route.preValidation = existing === undefined ? emptyIfMissing : [emptyIfMissing, ...(Array.isArray(existing) ? existing : [existing])];
  });
}
