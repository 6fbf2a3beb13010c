import { auth0 } from './lib/auth0';

// Next.js 16's proxy (formerly middleware) mounts nextjs-auth0's /auth/* routes and rolls the session.
export async function proxy(request) {
  return await auth0.middleware(request);
}

export const config = {
  matcher: ['/((?!_next/static|_next/image|favicon.ico|sitemap.xml|robots.txt).*)'],
};
