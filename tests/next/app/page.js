// A server component: reads the session through cookies() and renders a form per action.
import { auth } from "../lib/session.js";
import { increment, rotate, signIn, signOut } from "./actions.js";

export const dynamic = "force-dynamic";

export default async function Home({ searchParams }) {
  const { error } = await searchParams;
  const session = await auth.get();
  return (
    <main>
      <h1>cookie-seal on Next.js</h1>
      {error ? <p id="error">error: {error}</p> : null}
      {session === null ? (
        <>
          <p id="state">signed out</p>
          <form action={signIn}>
            <input type="hidden" name="csrf_token" defaultValue={await auth.preSessionToken()} />
            <input name="user" defaultValue="ada" />
            <button id="sign-in">Sign in</button>
          </form>
        </>
      ) : (
        <Signed session={session} token={await auth.csrfToken()} />
      )}
    </main>
  );
}

function Signed({ session, token }) {
  const hidden = <input type="hidden" name="csrf_token" defaultValue={token} />;
  return (
    <>
      <p id="state">signed in as {session.data.user}</p>
      <pre id="session">{JSON.stringify({ id: session.id, n: session.data.n, keyId: session.keyId, issuedAt: session.issuedAt })}</pre>
      <form action={increment}>{hidden}<button id="increment">+1</button></form>
      <form action={rotate}>{hidden}<button id="rotate">New id</button></form>
      <form action={signOut}>{hidden}<button id="sign-out">Sign out</button></form>
    </>
  );
}
