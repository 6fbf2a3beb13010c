import { Auth0Client } from '@auth0/nextjs-auth0/server';

// AUTH0_DOMAIN, AUTH0_CLIENT_ID, AUTH0_CLIENT_SECRET, AUTH0_SECRET and APP_BASE_URL come from the
// environment, as nextjs-auth0 reads them; AUTH0_AUDIENCE is this app's own setting.
export const auth0 = new Auth0Client({
  authorizationParameters: {
    audience: process.env.AUTH0_AUDIENCE,
    scope: 'openid profile email offline_access read:orders',
  },
});
