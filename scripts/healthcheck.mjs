// Container HEALTHCHECK: GET /healthz on 127.0.0.1:$PORT with a 2 s timeout; exit 0 when it answers
// 200 {"status":"ok"}, 1 otherwise. Plain Node 20, no dependencies, so it runs in the runtime image as is.
// In HTTPS mode (UNDERSTUDY_HTTPS, or a certificate of one's own in UNDERSTUDY_TLS_CERT) it asks over
// HTTPS without checking the certificate: it asks whether this server answers, on loopback, not who it is.
import { request } from 'node:https';

const port = process.env.PORT || '4000';
const https = /^(1|true|yes|on)$/i.test(process.env.UNDERSTUDY_HTTPS?.trim() ?? '') || (!process.env.UNDERSTUDY_HTTPS?.trim() && Boolean(process.env.UNDERSTUDY_TLS_CERT?.trim()));
const url = `${https ? 'https' : 'http'}://127.0.0.1:${port}/healthz`;

function get() {
  if (!https) return fetch(url, { signal: AbortSignal.timeout(2000) }).then(async (res) => ({ status: res.status, body: await res.json().catch(() => null) }));
  return new Promise((resolve, reject) => {
    const req = request(url, { rejectUnauthorized: false, timeout: 2000 }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk) => (text += chunk));
      res.on('end', () => {
        let body = null;
        try {
          body = JSON.parse(text);
        } catch {}
        resolve({ status: res.statusCode, body });
      });
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { name: 'TimeoutError' })));
    req.on('error', reject);
    req.end();
  });
}

try {
  const { status, body } = await get();
  if (status === 200 && body?.status === 'ok') process.exit(0);
  console.error(`healthcheck: ${url} answered ${status} ${JSON.stringify(body)}`);
} catch (err) {
  console.error(`healthcheck: ${url} failed: ${err?.cause?.code ?? err?.code ?? err?.name ?? ''} ${err?.message ?? err}`);
}
process.exit(1);
