import { auth0 } from '../../../lib/auth0';

// The access token for AUTH0_AUDIENCE, from the session; ?refresh asks the SDK to use the refresh token.
export async function GET(request) {
  const refresh = new URL(request.url).searchParams.has('refresh');
  try {
    const { token, expiresAt, scope } = await auth0.getAccessToken(refresh ? { refresh: true } : {});
    return Response.json({ token, expiresAt, scope });
  } catch (err) {
    return Response.json({ error: err.code ?? err.name, message: err.message }, { status: 401 });
  }
}
