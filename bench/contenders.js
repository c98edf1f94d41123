// The four contenders, each as async seal/open functions awaited one after another the way a
// request handler would. Shared by the Node run (bench/run.js) and the workerd run
// (bench/workerd/worker.js), so both measure exactly the same code.
//
//   cookie-seal     this package (synchronous; awaited anyway, as a handler would)
//   jose            JWE compact, alg "dir" + enc "A256GCM", pre-imported CryptoKey
//   iron-webcrypto  iron's seal/unseal with its defaults (what iron-session uses)
//   webcrypto       raw AES-256-GCM (random 96-bit IV) + base64url: the async platform floor

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const KEY_BYTES = new Uint8Array(32).map((_, i) => i + 1);
const IRON_PASSWORD = "a-password-of-at-least-32-characters-for-iron";

function toBase64url(bytes) {
  if (typeof Buffer !== "undefined") return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("base64url");
  let bin = "";
  for (let i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64url(text) {
  if (typeof Buffer !== "undefined") return new Uint8Array(Buffer.from(text, "base64url"));
  const bin = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export async function contenders({ cookieSeal, jose, iron }) {
  const subtle = crypto.subtle;
  const aesKey = await subtle.importKey("raw", KEY_BYTES, "AES-GCM", false, ["encrypt", "decrypt"]);
  const sealer = new cookieSeal.Sealer({ keys: [{ id: "k1", key: toBase64url(KEY_BYTES) }], name: "__Host-session" });

  return {
    "cookie-seal": {
      seal: async (data) => sealer.seal(data),
      open: async (value) => sealer.open(value).data,
    },
    jose: {
      seal: (data) =>
        new jose.CompactEncrypt(encoder.encode(JSON.stringify(data)))
          .setProtectedHeader({ alg: "dir", enc: "A256GCM" })
          .encrypt(aesKey),
      open: async (value) => JSON.parse(decoder.decode((await jose.compactDecrypt(value, aesKey)).plaintext)),
    },
    "iron-webcrypto": {
      seal: (data) => iron.seal(data, IRON_PASSWORD, iron.defaults),
      open: (value) => iron.unseal(value, IRON_PASSWORD, iron.defaults),
    },
    webcrypto: {
      seal: async (data) => {
        const iv = crypto.getRandomValues(new Uint8Array(12));
        const ct = new Uint8Array(await subtle.encrypt({ name: "AES-GCM", iv }, aesKey, encoder.encode(JSON.stringify(data))));
        const raw = new Uint8Array(12 + ct.length);
        raw.set(iv);
        raw.set(ct, 12);
        return toBase64url(raw);
      },
      open: async (value) => {
        const raw = fromBase64url(value);
        const pt = await subtle.decrypt({ name: "AES-GCM", iv: raw.subarray(0, 12) }, aesKey, raw.subarray(12));
        return JSON.parse(decoder.decode(pt));
      },
    },
  };
}

// Runs `n` sequential operations of one kind; returns a value so the work cannot be elided.
export async function runOps(impl, op, data, n) {
  const sealed = await impl.seal(data);
  // A wrong round trip would make every figure meaningless: check once per batch.
  if (JSON.stringify(await impl.open(sealed)) !== JSON.stringify(data)) throw new Error("round trip failed");
  let last;
  if (op === "seal") for (let i = 0; i < n; i++) last = await impl.seal(data);
  else for (let i = 0; i < n; i++) last = await impl.open(sealed);
  return last;
}

export const NAMES = ["cookie-seal", "jose", "iron-webcrypto", "webcrypto"];
export const OPS = ["seal", "open"];
