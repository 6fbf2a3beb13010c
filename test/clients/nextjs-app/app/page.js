import { auth0 } from '../lib/auth0';

// A server component: the session is read on the server with auth0.getSession().
export default async function Home() {
  const session = await auth0.getSession();
  if (!session) {
    return (
      <main>
        <p id="status">signed out</p>
        <a id="login" href="/auth/login">Log in</a>
      </main>
    );
  }
  return (
    <main>
      <p id="status">signed in</p>
      <p id="email">{session.user.email}</p>
      <p id="sub">{session.user.sub}</p>
      <p id="sid">{session.internal.sid}</p>
      <a id="logout" href="/auth/logout">Log out</a>
    </main>
  );
}
