import type { FastifyInstance } from 'fastify';
import { localhostTestApp } from './app.js';
import { startCallbackPage } from './net.js';

/**
 * What a Chromium test of the login pages runs against: an application page listening for the login's
 * callback, and Understudy on localhost with the tenant `tenantFor` builds for that callback.
 */
export interface CallbackEnv {
  /** http://localhost:<port>, the SDKs' domain. */
  domain: string;
  /** The application's callback URL. */
  callback: string;
  app: FastifyInstance;
  close(): Promise<void>;
}

export async function startCallbackEnv(tenantFor: (page: { origin: string; callback: string }) => unknown): Promise<CallbackEnv> {
  const appPage = await startCallbackPage();
  const callback = `${appPage.origin}/callback`;
  try {
    const { app, domain } = await localhostTestApp(tenantFor({ origin: appPage.origin, callback }));
    return { domain, callback, app, close: async () => void (await Promise.allSettled([app.close(), appPage.close()])) };
  } catch (err) {
    await appPage.close();
    throw err;
  }
}
