// The benchmark inside workerd. GET /bench?name=&op=&payload=&n= runs n sequential
// operations; the driver (bench/run.js) times the request from outside, because inside a
// worker Date.now() and performance.now() stand still while code runs (a Spectre
// mitigation), so a worker cannot time itself.
import * as cookieSeal from "cookie-seal";
import * as jose from "./node_modules/jose/dist/webapi/index.js";
import * as iron from "./node_modules/iron-webcrypto/index.js";
import payloads from "./payloads.json";
import { contenders, runOps } from "./contenders.js";

let impls;

export default {
  async fetch(request) {
    impls ??= await contenders({ cookieSeal, jose, iron });
    const q = new URL(request.url).searchParams;
    const n = Number(q.get("n"));
    if (n === 0) return new Response("ok");
    const payload = payloads.find((p) => p.name === q.get("payload"));
    const impl = impls[q.get("name")];
    if (!payload || !impl) return new Response("bad request", { status: 400 });
    try {
      await runOps(impl, q.get("op"), JSON.parse(payload.text), n);
      return new Response("ok");
    } catch (err) {
      return new Response(`${err}\n${err.stack}`, { status: 500 });
    }
  },
};
