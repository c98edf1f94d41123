// The Hono app on Node (@hono/node-server) on 127.0.0.1, driven over HTTP by scenario.js.
import test from "node:test";
import { serve } from "@hono/node-server";
import * as api from "cookie-seal/sessions";
import { honoApp } from "./hono-app.js";
import { scenarios } from "./scenario.js";

const server = await new Promise((resolve) => {
  const s = serve({ fetch: honoApp().fetch, hostname: "127.0.0.1", port: 0 }, () => resolve(s));
});
const base = `http://127.0.0.1:${server.address().port}`;
for (const { name, fn } of scenarios(base, api)) test(`hono/node: ${name}`, fn);
test.after(() => server.close());
