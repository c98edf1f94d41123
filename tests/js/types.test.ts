// Type-checked by `deno test` before it runs (scripts/test-js.sh): the package's index.d.ts
// (`cookie-seal`) and sessions.d.ts (`cookie-seal/sessions`) must compile under TypeScript's
// strict mode and carry the payload type through seal/open and sessions.
// The @ts-expect-error lines fail the check if the declarations stop rejecting misuse.
import * as main from "cookie-seal";
import { generateKey, init, type Opened, SealError, type SealErrorCode, Sealer } from "cookie-seal";
import {
  type ResealReason,
  SealError as SessionsSealError,
  type Session as CookieSession,
  type SessionInfo,
  SessionManager,
  init as initSessions,
} from "cookie-seal/sessions";

interface Session {
  uid: number;
  role: "admin" | "user";
}

Deno.test("index.d.ts: generics, options and SealError fields type-check and match runtime", async () => {
  await init();
  const sealer = new Sealer({ keys: [{ id: "k1", key: generateKey() }], name: "__Host-session", ttl: 60 });
  const value: string = sealer.seal<Session>({ uid: 1, role: "admin" }, { now: 1_700_000_000 });
  const opened: Opened<Session> = sealer.open<Session>(value, { now: 1_700_000_000 });
  const uid: number = opened.data.uid;
  if (uid !== 1 || opened.keyId !== "k1" || opened.needsReseal) throw new Error("wrong opened value");
  const capacity: number = sealer.capacity;
  if (capacity <= 0) throw new Error("capacity");

  // @ts-expect-error seal<Session> refuses a payload of another shape
  sealer.seal<Session>({ uid: "1", role: "admin" });
  // @ts-expect-error `name` is required
  () => new Sealer({ keys: "k1:x" });

  try {
    sealer.seal("x".repeat(5000));
    throw new Error("sealed an oversized payload");
  } catch (err) {
    if (!(err instanceof SealError)) throw err;
    const code: SealErrorCode = err.code;
    const sizes: [number | undefined, number | undefined] = [err.actual, err.limit];
    if (code !== "TOO_LARGE" || sizes[1] !== 4096) throw new Error(`got ${code}`);
  }
  sealer.free();
});

Deno.test("the main entry's types have no SessionManager; both entries share SealError", () => {
  // @ts-expect-error SessionManager is only in cookie-seal/sessions
  const missing = main.SessionManager;
  if (missing !== undefined) throw new Error("the main entry exports SessionManager");
  const same: typeof SealError = SessionsSealError;
  if (same !== SealError) throw new Error("two SealError classes");
});

Deno.test("sessions.d.ts: sessions carry the data type; options and targets are checked", async () => {
  await initSessions();
  const now = 1_700_000_000;
  const sessions = new SessionManager({
    keys: [{ id: "k1", key: generateKey() }],
    name: "__Host-session",
    rememberMe: { idleTimeout: 3600 },
    sameSite: "Strict",
    isRevoked: async (info: SessionInfo) => info.subject !== null && info.subject.generation < 1,
  });
  const s: CookieSession<{ visits: number }> = sessions.signIn({ visits: 0 }, { rememberMe: true, subject: { id: "u", generation: 1 }, now });
  const reason: ResealReason | null = s.resealReason;
  const headers: string[] = sessions.setCookies(s, { now });
  const target: Headers = sessions.commit(s, new Headers(), { now });
  const back = await sessions.readAsync<{ visits: number }>(headers[0].split(";")[0], { now });
  const visits: number | undefined = back?.data.visits;
  if (reason !== "new-id" || visits !== 0 || target.getSetCookie().length !== 1) throw new Error("wrong session");
  const out: Response = sessions.signOut(new Response("bye"));
  if (out.headers.getSetCookie().length !== 1) throw new Error("signOut");

  // @ts-expect-error sameSite is one of "Strict", "Lax", "None"
  () => new SessionManager({ keys: "k1:x", name: "n", sameSite: "lax" });
  // @ts-expect-error commit writes into a Response or Headers only
  () => sessions.commit(s, "set-cookie");
  // @ts-expect-error read gives null when there is no session
  () => sessions.read<{ visits: number }>("").data;
  // @ts-expect-error a subject's generation is a number
  () => sessions.signIn(1, { subject: { id: "u", generation: "1" } });
  sessions.free();
});
