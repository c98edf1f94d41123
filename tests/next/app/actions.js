"use server";
// Server actions: each writes the session through cookies() and goes back to the page.
import { redirect } from "next/navigation";
import { auth, sessions, signInLimit } from "../lib/session.js";

export async function signIn(formData) {
  try {
    await auth.verifyPreSession(formData.get("csrf_token"));
  } catch (err) {
    redirect(`/?error=${err.code}`);
  }
  const user = String(formData.get("user") ?? "");
  const answer = await signInLimit.take(`sign-in:${user}`);
  if (!answer.ok) redirect(`/?error=RATE_LIMITED&retry=${answer.retryAfter}`);
  await auth.signIn({ user, n: 0 });
  redirect("/");
}

// Checked before anything changes: a missing or foreign token goes back with the code.
async function withToken(formData, change) {
  try {
    await auth.verifyCsrf(formData.get("csrf_token"));
  } catch (err) {
    redirect(`/?error=${err.code}`);
  }
  const session = await auth.get();
  if (session === null) redirect("/?error=NO_SESSION");
  await change(session);
  redirect("/");
}

export async function increment(formData) {
  await withToken(formData, (session) => {
    session.data = { ...session.data, n: session.data.n + 1 };
    return auth.save(session);
  });
}

export async function rotate(formData) {
  await withToken(formData, (session) => auth.save(sessions.regenerateId(session)));
}

export async function signOut(formData) {
  await withToken(formData, () => auth.signOut());
}
