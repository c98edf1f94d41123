// Which AES-256-GCM the wasm runs XAES-256-GCM's bulk cipher on. The wasm always does the
// format, the claims, the key derivation (two AES blocks per message from a per-key
// schedule) and base64url; only the AES-256-GCM of one message under its derived key can
// come from here: node:crypto's synchronous createCipheriv/createDecipheriv, which is
// OpenSSL or BoringSSL with AES-NI, where the runtime has it and it measured faster than
// the wasm's constant-time software AES. Browsers, workerd without nodejs_compat and
// runtimes not measured keep the software AES. Either way the bytes are the same.
// Not part of the public API (the package's exports map does not expose this file).

// Smallest GCM message (the claims, about 16 bytes, plus the payload) handed to node:crypto,
// per runtime, from bench/run.sh's size sweep (BENCHMARKS.md). Each createCipheriv has a
// fixed cost: in Node the software AES is as fast or faster below about 256 bytes; Deno's
// node:crypto GCM is slower per byte than Node's and workerd's fixed cost is larger, and
// in both the two cross between 768 and 1024 bytes (by wall clock and by CPU time).
const MIN_LEN = { node: 256, deno: 896, workerd: 896 };

export const AES_CHOICES = ["auto", "node-crypto", "software"];

function runtime() {
  const g = globalThis;
  if (g.navigator?.userAgent === "Cloudflare-Workers") return "workerd";
  if (typeof g.Deno?.version?.deno === "string") return "deno";
  // Bun has node:crypto too, but has not been measured: it keeps the software AES.
  if (g.Bun === undefined && typeof g.process?.versions?.node === "string") return "node";
  return undefined;
}

// node:crypto, obtained synchronously and without a static import, which would break the
// runtimes that lack it: process.getBuiltinModule is in Node ≥ 20.16, Deno 2 and workerd
// with nodejs_compat. Older Node 20 releases keep the software AES.
function nodeCrypto() {
  try {
    const crypto = globalThis.process?.getBuiltinModule?.("node:crypto");
    if (typeof crypto?.createCipheriv === "function" && typeof crypto.createDecipheriv === "function") return crypto;
  } catch {
    // A runtime whose getBuiltinModule throws has no node:crypto for us.
  }
  return undefined;
}

// The object src/wasm/node_crypto.rs calls, once per message: every argument is a view of
// wasm memory, so nothing is copied on the way in, and the result is written back into the
// message's own buffer. Answers 1 (done), 0 (tag rejected) or 2 (it could not run: the wasm
// then does that message in software). Nothing may throw back into the wasm.
function hostGcm({ createCipheriv, createDecipheriv }) {
  return {
    seal(key, iv, aad, buf, tag) {
      try {
        const cipher = createCipheriv("aes-256-gcm", key, iv);
        cipher.setAAD(aad);
        const out = cipher.update(buf);
        cipher.final();
        const t = cipher.getAuthTag();
        if (out.length !== buf.length || t.length !== tag.length) return 2;
        buf.set(out);
        tag.set(t);
        return 1;
      } catch {
        return 2;
      }
    },
    open(key, iv, aad, buf, tag) {
      let decipher;
      let out;
      try {
        decipher = createDecipheriv("aes-256-gcm", key, iv, { authTagLength: 16 });
        decipher.setAAD(aad);
        decipher.setAuthTag(tag);
        out = decipher.update(buf);
      } catch {
        return 2;
      }
      try {
        decipher.final(); // throws exactly when the tag does not verify
      } catch {
        out.fill(0); // unauthenticated plaintext never leaves
        return 0;
      }
      if (out.length !== buf.length) return 2;
      buf.set(out);
      out.fill(0); // the copy in wasm memory is the one that stays, and is wiped there
      return 1;
    },
  };
}

// C2SP's XAES-256-GCM vector 1 as plain AES-256-GCM (its derived key and 96-bit nonce): a
// host must seal it to the known bytes, refuse a forged tag and open it, or it is not used.
function knownAnswer(host) {
  const hex = (text) => Uint8Array.from(text.match(/../g), (h) => parseInt(h, 16));
  const key = hex("c8612c9ed53fe43e8e005b828a1631a0bbcb6ab2f46514ec4f439fcfd0fa969b");
  const iv = new TextEncoder().encode("MNOPQRSTUVWX");
  const plain = new TextEncoder().encode("XAES-256-GCM");
  const sealed = "ce546ef63c9cc60765923609b33a9a1974e96e52daf2fcf7075e2271";
  const buf = plain.slice();
  const tag = new Uint8Array(16);
  const aad = new Uint8Array(0);
  const toHex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  if (host.seal(key, iv, aad, buf, tag) !== 1 || toHex(buf) + toHex(tag) !== sealed) return false;
  const forged = tag.slice();
  forged[15] ^= 1;
  const copy = buf.slice();
  if (host.open(key, iv, aad, copy, forged) !== 0 || toHex(copy) !== toHex(buf)) return false;
  return host.open(key, iv, aad, buf, tag) === 1 && toHex(buf) === toHex(plain);
}

/** node:crypto's AES-256-GCM as the host object the wasm calls, if the runtime has a working one. */
export function nodeCryptoHost() {
  const crypto = nodeCrypto();
  const host = crypto === undefined ? undefined : hostGcm(crypto);
  return host !== undefined && knownAnswer(host) ? host : undefined;
}

/**
 * The AES choice for one wasm instance (its glue's exports). `invalid(message)` makes the
 * error to throw for a bad option. choose(choice) applies "auto", "node-crypto" (at every
 * size; refused where the runtime has none) or "software"; name() says which is in use.
 */
export function bindAes(wasm, invalid) {
  function choose(choice = "auto") {
    if (!AES_CHOICES.includes(choice)) {
      throw invalid(`invalid option: aesBackend must be one of ${AES_CHOICES.map((c) => `"${c}"`).join(", ")}`);
    }
    const minLen = choice === "node-crypto" ? 0 : MIN_LEN[runtime()];
    const host = choice === "software" || minLen === undefined ? undefined : nodeCryptoHost();
    if (host !== undefined) return wasm.useHostAes(host, minLen);
    wasm.useSoftwareAes();
    if (choice === "node-crypto") {
      throw invalid('invalid option: aesBackend "node-crypto": this runtime has no working synchronous node:crypto AES-256-GCM');
    }
  }

  function name() {
    return wasm.hostAesMinLen() >= 0 ? "node-crypto" : "software";
  }

  return { choose, name };
}
