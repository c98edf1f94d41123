// Renews sessions due for it (and re-seals those under a retired key, clears refused ones)
// before any page renders, so server components always read a fresh cookie.
import { NextResponse } from "next/server";
import { auth } from "./lib/session.js";

export async function proxy(request) {
  return auth.proxy(request, NextResponse);
}

export const config = { matcher: ["/((?!_next/).*)"] };
