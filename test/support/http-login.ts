import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { decodeJwt } from 'jose';
import { pkcePair } from './flows.js';

/**
 * Understudy as real processes (`node --import tsx src/server.ts`) and a login walked over HTTP with
 * fetch, each step against whichever process the test names: the shape of a browser behind a load
 * balancer. Used by the store tests (SQLite kill -9, Redis replicas).
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CALLBACK = 'http://localhost:3000/callback';
export const SPA = 'understudy-spa';

export interface ServerProcess {
  child: ChildProcess;
  base: string;
  port: number;
  output: () => string;
  /** The dev token the start-up banner printed, when it generated one (beyond loopback, or with Actions bound). */
  devToken: () => string | undefined;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, waiting for the exit. */
  stop(): Promise<void>;
}

/** How the sources run; the build test passes ['dist/understudy.cjs'], the file users run. */
export const FROM_SOURCES = ['--import', 'tsx', 'src/server.ts'];

/** Starts src/server.ts (or `entry`) with only the given environment (plus PATH/HOME); resolves once it listens. */
export async function startServer(env: Record<string, string>, args: string[] = [], waitMs = 60_000, entry: string[] = FROM_SOURCES): Promise<ServerProcess> {
  const child = spawn(process.execPath, [...entry, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', PORT: '0', HOST: '127.0.0.1', LOG_FORMAT: 'json', UNDERSTUDY_RATE_LIMITS: 'off', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      // Not left running behind a failed test.
      child.kill('SIGKILL');
      reject(new Error(`server did not listen within ${waitMs} ms:\n${out}`));
    }, waitMs);
    const check = (): void => {
      const match = /listening on {2}https?:\/\/[^:]+:(\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        child.stdout!.off('data', check);
        resolve(Number(match[1]));
      }
    };
    child.stdout!.on('data', check);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code ?? signal}) before listening:\n${out}`));
    });
  });
  return {
    child,
    port,
    base: `http://127.0.0.1:${port}`,
    output: () => out,
    devToken: () => /dev token {5}(\S+)/.exec(out)?.[1],
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** A cookie jar shared by every server the browser talks to (they are one site behind a proxy). */
export class HttpBrowser {
  readonly cookies = new Map<string, string>();

  async request(base: string, path: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (init.form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const response = await fetch(`${base}${path}`, {
      method: init.method ?? (init.form ? 'POST' : 'GET'),
      headers,
      redirect: 'manual',
      ...(init.form ? { body: new URLSearchParams(init.form).toString() } : {}),
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (!value || /max-age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }
}

export interface LoginResult {
  sub: string;
  sid: string;
  refreshToken: string | undefined;
  messageId: string;
  kid: string;
  /** The ID token's claims. */
  claims: Record<string, unknown>;
}

/** Throws with the body when the status is not the expected one. */
export async function expectStatus(response: Response, status: number, what: string): Promise<Response> {
  if (response.status !== status) throw new Error(`${what}: expected ${status}, got ${response.status}: ${await response.text()}`);
  return response;
}

/**
 * A passwordless email login through the screens. `servers` says which server serves each step:
 * [authorize, identifier, mailbox, challenge, resume, token]; one base for all of them is fine too.
 */
export async function httpLogin(email: string, servers: string | string[], options: { scope?: string; browser?: HttpBrowser; devToken?: string | undefined } = {}): Promise<LoginResult> {
  const at = (step: number): string => (typeof servers === 'string' ? servers : (servers[step] ?? servers[servers.length - 1]!));
  const browser = options.browser ?? new HttpBrowser();
  const { verifier, challenge } = pkcePair();
  const query = new URLSearchParams({
    client_id: SPA,
    redirect_uri: CALLBACK,
    response_type: 'code',
    scope: options.scope ?? 'openid profile email offline_access',
    state: 'client-state',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  const start = await expectStatus(await browser.request(at(0), `/authorize?${query}`), 302, 'GET /authorize');
  const loginId = start.headers.get('location')!;
  const state = new URL(loginId, 'http://x').searchParams.get('state')!;
  const submitted = await expectStatus(await browser.request(at(1), loginId, { form: { state, username: email, action: 'default' } }), 302, 'POST login-id');
  const challengeUrl = submitted.headers.get('location')!;
  const mail = await expectStatus(
    await fetch(`${at(2)}/_dev/api/messages/latest?${new URLSearchParams({ to: email, wait: '5000' })}`, { headers: options.devToken ? { authorization: `Bearer ${options.devToken}` } : {} }),
    200,
    'mailbox',
  );
  const message = (await mail.json()) as { id: string; code: string };
  const verified = await expectStatus(await browser.request(at(3), challengeUrl, { form: { state, code: message.code, action: 'default' } }), 302, 'POST challenge');
  const resume = verified.headers.get('location')!;
  const resumed = await expectStatus(await browser.request(at(4), resume), 302, 'GET /authorize/resume');
  const callback = new URL(resumed.headers.get('location')!);
  const code = callback.searchParams.get('code');
  if (!code) throw new Error(`no code in ${callback}`);
  const token = await expectStatus(
    await fetch(`${at(5)}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', client_id: SPA, code, code_verifier: verifier, redirect_uri: CALLBACK }).toString(),
    }),
    200,
    'POST /oauth/token',
  );
  const body = (await token.json()) as { id_token: string; refresh_token?: string };
  const claims = decodeJwt(body.id_token);
  const header = JSON.parse(Buffer.from(body.id_token.split('.')[0]!, 'base64url').toString()) as { kid: string };
  return { sub: String(claims.sub), sid: String(claims.sid), refreshToken: body.refresh_token, messageId: message.id, kid: header.kid, claims };
}

export async function jwksKid(base: string): Promise<string> {
  const response = await expectStatus(await fetch(`${base}/.well-known/jwks.json`), 200, 'JWKS');
  return ((await response.json()) as { keys: { kid: string }[] }).keys[0]!.kid;
}
