// cookie-seal stays out of Next's bundles: Node loads it, and reads its wasm, itself.
export default {
  serverExternalPackages: ["cookie-seal"],
  poweredByHeader: false,
};
