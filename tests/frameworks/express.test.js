// The Express 5 app on 127.0.0.1, driven over HTTP by scenario.js.
import test from "node:test";
import * as api from "cookie-seal/sessions";
import { expressApp } from "./express-app.js";
import { scenarios } from "./scenario.js";

const server = await new Promise((resolve, reject) => {
  const s = expressApp().listen(0, "127.0.0.1", (err) => (err ? reject(err) : resolve(s)));
});
const base = `http://127.0.0.1:${server.address().port}`;
for (const { name, fn } of scenarios(base, api)) test(`express: ${name}`, fn);
test.after(() => server.close());
