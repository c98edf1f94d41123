// Keeps the linear memory of every wasm instance created after this module is evaluated, so
// the suite can search it for key bytes after free(): the package keeps its instances private,
// as it should. Each runner imports this before the package.
export const wasmMemories = [];

function keep(instance) {
  const memory = instance && instance.exports && instance.exports.memory;
  if (memory instanceof WebAssembly.Memory) wasmMemories.push(memory);
}

const W = globalThis.WebAssembly;
// Node, Deno and workerd instantiate synchronously (initSync: new WebAssembly.Instance).
W.Instance = new Proxy(W.Instance, {
  construct(target, args, newTarget) {
    const instance = Reflect.construct(target, args, newTarget);
    keep(instance);
    return instance;
  },
});
// Browsers: init() goes through instantiateStreaming, or instantiate as a fallback.
for (const name of ["instantiate", "instantiateStreaming"]) {
  const original = W[name];
  if (typeof original !== "function") continue;
  W[name] = function (...args) {
    return original.apply(this, args).then((result) => {
      keep(result.instance ?? result);
      return result;
    });
  };
}
