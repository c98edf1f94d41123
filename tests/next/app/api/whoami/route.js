// A route handler reading the session through cookies().
import { auth } from "../../../lib/session.js";

export const dynamic = "force-dynamic";

export async function GET() {
  const session = await auth.get();
  return Response.json(session && { id: session.id, data: session.data, keyId: session.keyId, issuedAt: session.issuedAt });
}
