// The Hono app as a Cloudflare worker (workerd/config.capnp): its default export.
import { honoApp } from "./hono-app.js";

export default honoApp();
