// Container HEALTHCHECK: GET http://127.0.0.1:$PORT/healthz with a 2 s timeout; exit 0 when it answers
// 200 {"status":"ok"}, 1 otherwise. Plain Node 20, no dependencies, so it runs in the runtime image as is.
const port = process.env.PORT || '4000';
const url = `http://127.0.0.1:${port}/healthz`;

try {
  const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
  const body = await res.json().catch(() => null);
  if (res.status === 200 && body?.status === 'ok') process.exit(0);
  console.error(`healthcheck: ${url} answered ${res.status} ${JSON.stringify(body)}`);
} catch (err) {
  console.error(`healthcheck: ${url} failed: ${err?.cause?.code ?? err?.name ?? ''} ${err?.message ?? err}`);
}
process.exit(1);
