// What both AuthHero harnesses serve (each runs from its copy in bench/.peers/<name>/, so this file is
// imported from there as ../../peers/authhero-serve.mjs): the app, plus /_bench/code, which answers the
// last code the harness's email service was given for `to`. `serve` is the harness's own
// @hono/node-server, so this file imports nothing.
export function serveWithBenchCodes(serve, { app, env, codes, port }) {
  serve({
    port,
    hostname: '127.0.0.1',
    fetch: (request) => {
      const url = new URL(request.url);
      if (url.pathname === '/_bench/code') {
        const code = codes.get(url.searchParams.get('to') ?? '');
        return code ? new Response(code) : new Response('no code', { status: 404 });
      }
      return app.fetch(request, env);
    },
  });
}
