// The Hono app on Deno (Deno.serve on 127.0.0.1), driven over HTTP by scenario.js.
import * as api from "cookie-seal/sessions";
import { honoApp } from "./hono-app.js";
import { scenarios } from "./scenario.js";

const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, honoApp().fetch);
const base = `http://127.0.0.1:${server.addr.port}`;
const list = scenarios(base, api);
list.forEach(({ name, fn }, i) => {
  Deno.test({
    name: `hono/deno: ${name}`,
    fn: async () => {
      try {
        await fn();
      } finally {
        if (i === list.length - 1) await server.shutdown();
      }
    },
    sanitizeResources: false,
    sanitizeOps: false,
  });
});
