// The JS suite inside a Cloudflare worker. GET /list names the cases, GET /run?i=N runs
// one and answers {ok, error}, GET /cross seals values for native Rust to open.
import * as api from "cookie-seal";
import { cases, sealForNative } from "./suite.js";
import vectors from "./vectors.json";
import openVectors from "./open-vectors.json";
import native from "./native.json";

const list = cases({ api, vectors, openVectors, native });

function json(body, status = 200) {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === "/list") return json(list.map((c) => c.name));
    if (url.pathname === "/cross") return json(sealForNative(api));
    if (url.pathname === "/run") {
      const item = list[Number(url.searchParams.get("i"))];
      if (!item) return json({ ok: false, error: "no such case" }, 404);
      try {
        await item.fn();
        return json({ ok: true });
      } catch (err) {
        return json({ ok: false, error: `${err && err.name}: ${err && err.message}\n${err && err.stack}` });
      }
    }
    return json({ error: "not found" }, 404);
  },
};
