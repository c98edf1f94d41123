// The benchmark inside workerd. GET /bench?name=&op=&payload=&n= runs n sequential
// operations (bytes=N instead of payload: a JSON payload of N bytes, for the size sweep;
// nonce=SOURCE instead: n nonces); the driver (bench/run.js) times the request from outside, because inside a
// worker Date.now() and performance.now() stand still while code runs (a Spectre
// mitigation), so a worker cannot time itself.
import * as cookieSeal from "cookie-seal";
import * as jose from "./node_modules/jose/dist/webapi/index.js";
import * as iron from "./node_modules/iron-webcrypto/index.js";
import payloads from "./payloads.json";
import { contenders, runOps, sized } from "./contenders.js";

let impls;

export default {
  async fetch(request) {
    // With nodejs_compat: the raw node:crypto floor and cookie-seal forced onto it, too.
    const nodeCrypto = globalThis.process?.getBuiltinModule?.("node:crypto");
    impls ??= await contenders({ cookieSeal, jose, iron, nodeCrypto });
    const q = new URL(request.url).searchParams;
    if (q.has("names")) return Response.json({ names: Object.keys(impls), aesBackend: cookieSeal.Sealer.aesBackend });
    const n = Number(q.get("n"));
    if (n === 0) return new Response("ok");
    // nonce=SOURCE: n 24-byte nonces from getRandomValues or node:crypto's randomFillSync.
    if (q.has("nonce")) {
      const buf = new Uint8Array(24);
      const source = q.get("nonce");
      if (source === "randomFillSync" && nodeCrypto) for (let i = 0; i < n; i++) nodeCrypto.randomFillSync(buf);
      else if (source === "getRandomValues") for (let i = 0; i < n; i++) crypto.getRandomValues(buf);
      else return new Response("bad request", { status: 400 });
      return new Response("ok");
    }
    const payload = payloads.find((p) => p.name === q.get("payload"));
    const data = q.has("bytes") ? sized(Number(q.get("bytes"))) : payload && JSON.parse(payload.text);
    const impl = impls[q.get("name")];
    if (!data || !impl) return new Response("bad request", { status: 400 });
    try {
      await runOps(impl, q.get("op"), data, n);
      return new Response("ok");
    } catch (err) {
      return new Response(`${err}\n${err.stack}`, { status: 500 });
    }
  },
};
