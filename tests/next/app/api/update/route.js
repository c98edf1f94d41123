// A route handler writing the session through cookies(), behind the cross-origin check
// and the CSRF token (x-csrf-token header or csrf_token form field).
import { auth } from "../../../lib/session.js";

export async function POST(request) {
  const refused = await auth.protect(request);
  if (refused) return refused;
  const session = await auth.get();
  session.data = { ...session.data, n: session.data.n + 1 };
  await auth.save(session);
  return Response.json({ n: session.data.n });
}
