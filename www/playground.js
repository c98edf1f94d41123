// The playground: everything runs here, on the npm package in pkg/ (served at /pkg/).
// No fetch, no form post: the only requests this page makes are for its own files.
import { init, Sealer, SealError, generateKey } from "/pkg/browser.js";

const LIMIT = 4096; // the browser's cookie budget, and the package's default maxLen
const $ = (id) => document.getElementById(id);
const encoder = new TextEncoder();
const bytes = (text) => encoder.encode(text).length;
const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

function describe(err) {
  return err instanceof SealError ? `${err.code}: ${err.message}` : String(err);
}

function show(id, text) {
  const el = $(id);
  el.textContent = text;
  el.hidden = text === "";
}

// A Sealer from the current form. It holds key material in wasm memory, so every use
// frees it at once rather than waiting for garbage collection.
function withSealer(fn) {
  const sealer = new Sealer({
    keys: $("keys").value.trim(),
    name: $("name").value,
    purpose: $("purpose").value,
    ttl: Number($("ttl").value),
  });
  try {
    return fn(sealer);
  } finally {
    sealer.free();
  }
}

function ids() {
  return $("keys").value.split(",").map((entry) => entry.trim().split(":")[0]);
}

function when(seconds) {
  return `${new Date(seconds * 1000).toISOString().replace("T", " ").replace(".000Z", " UTC")} (${seconds})`;
}

// The size bar: seals the payload as typed (sealing is synchronous and takes microseconds)
// to get the exact cookie length, or the length a TOO_LARGE error reports.
function updateSize() {
  const text = $("size-text");
  const fits = $("size-fits");
  const bar = $("size-bar");
  let data;
  try {
    data = JSON.parse($("payload").value);
  } catch (err) {
    text.textContent = "The payload is not JSON yet.";
    fits.textContent = err.message;
    bar.className = "bar";
    return;
  }
  let used;
  let capacity;
  let over = false;
  try {
    withSealer((sealer) => {
      capacity = sealer.capacity;
      try {
        used = bytes($("name").value) + 1 + sealer.seal(data).length;
      } catch (err) {
        if (!(err instanceof SealError) || err.code !== "TOO_LARGE") throw err;
        used = err.actual;
        over = true;
      }
    });
  } catch (err) {
    text.textContent = "Cannot size it:";
    fits.textContent = describe(err);
    bar.className = "bar";
    return;
  }
  const payload = bytes(JSON.stringify(data));
  const percent = Math.round((used / LIMIT) * 1000) / 10;
  $("size-fill").style.width = `${Math.min(100, (used / LIMIT) * 100)}%`;
  bar.setAttribute("aria-valuenow", String(used));
  bar.className = over ? "bar over" : percent >= 90 ? "bar near" : "bar";
  text.textContent = `Cookie: ${used} of ${LIMIT} bytes (${percent}%), payload ${payload} bytes.`;
  fits.textContent = over
    ? `Too large by ${plural(used - LIMIT, "byte")}: browsers silently drop such a cookie, so seal refuses it (TOO_LARGE).`
    : `${plural(capacity - payload, "more payload byte")} ${capacity - payload === 1 ? "fits" : "fit"} (capacity ${capacity} bytes for this name and key id).`;
}

function seal() {
  show("seal-error", "");
  try {
    const data = JSON.parse($("payload").value);
    const value = withSealer((sealer) => sealer.seal(data));
    $("sealed").value = value;
    $("value").value = value;
    $("sealed-info").textContent =
      `${value.length} characters, sealed under key ${ids()[0]} for cookie ${$("name").value}`;
  } catch (err) {
    $("sealed").value = "";
    $("sealed-info").textContent = "";
    show("seal-error", err instanceof SyntaxError ? `The payload is not JSON: ${err.message}` : describe(err));
  }
}

function open() {
  show("open-error", "");
  $("opened").hidden = true;
  try {
    const opened = withSealer((sealer) => sealer.open($("value").value.trim()));
    $("opened-data").textContent = JSON.stringify(opened.data, null, 2);
    $("claim-key").textContent = opened.keyId;
    $("claim-issued").textContent = when(opened.issuedAt);
    $("claim-expires").textContent = when(opened.expiresAt);
    $("claim-reseal").textContent = opened.needsReseal
      ? "yes: sealed under an older key; seal it again under the primary"
      : "no";
    $("opened").hidden = false;
  } catch (err) {
    show("open-error", describe(err));
  }
}

function generate() {
  $("keys").value = `k1:${generateKey()}`;
  updateSize();
}

// Rotation: a new primary key in front; the old ones still open what they sealed.
function rotate() {
  const taken = new Set(ids());
  let n = 1;
  while (taken.has(`k${n}`)) n++;
  const current = $("keys").value.trim();
  $("keys").value = current === "" ? `k${n}:${generateKey()}` : `k${n}:${generateKey()},${current}`;
  updateSize();
}

try {
  await init();
} catch (err) {
  show("status", `Could not load the package: ${describe(err)}. Build it with scripts/build-pkg.sh.`);
  $("status").className = "notice error";
  throw err;
}
if ($("keys").value.trim() === "") generate();
for (const [id, fn] of [["generate", generate], ["rotate", rotate], ["seal", seal], ["open", open]]) {
  $(id).addEventListener("click", fn);
  $(id).disabled = false;
}
for (const id of ["payload", "keys", "name", "purpose", "ttl"]) {
  $(id).addEventListener("input", updateSize);
}
updateSize();
$("status").textContent = "Ready: the WebAssembly module is loaded, and a key was generated for you.";
$("status").className = "notice ok";
document.body.dataset.ready = "true";
