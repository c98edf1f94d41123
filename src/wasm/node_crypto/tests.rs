//! Both AES backends against the frozen fixed-nonce vectors, byte for byte, in wasm: under
//! wasm-bindgen-test's Node runner the host backend is the real `node:crypto` through
//! `pkg/aes-backend.js`; in a browser, where there is none, the software path must still give
//! the frozen bytes and the host must be reported absent.

use std::time::Duration;

use serde_json::Value;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::*;
use crate::{Key, Keyring, Sealer};

#[wasm_bindgen(module = "/pkg/aes-backend.js")]
extern "C" {
    #[wasm_bindgen(js_name = nodeCryptoHost)]
    fn node_crypto_host() -> Option<HostGcm>;
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(thread_local_v2, js_namespace = globalThis, js_name = process)]
    static PROCESS: Option<wasm_bindgen::JsValue>;
}

const SEAL_V1: &str = include_str!("../../../tests/vectors/seal-v1.json");

fn text<'a>(v: &'a Value, field: &str) -> &'a str {
    v[field].as_str().unwrap()
}

/// Seals and opens every frozen vector with the current routing; returns how many.
fn check_vectors(backend: &str) -> usize {
    let doc: Value = serde_json::from_str(SEAL_V1).unwrap();
    let mut checked = 0;
    for v in doc["vectors"].as_array().unwrap() {
        let key = |t: &str| Key::from_base64url(t).unwrap();
        let seal_ring = Keyring::new(text(v, "key_id"), key(text(v, "key"))).unwrap();
        let open_ring = match &v["primary"] {
            Value::Null => seal_ring.clone(),
            p => Keyring::new(text(p, "key_id"), key(text(p, "key")))
                .unwrap()
                .with_key(text(v, "key_id"), key(text(v, "key")))
                .unwrap(),
        };
        let sealer = |ring| {
            Sealer::builder(ring, text(v, "cookie_name"))
                .purpose(text(v, "purpose"))
                .ttl(Duration::from_secs(v["ttl"].as_u64().unwrap()))
                .build()
                .unwrap()
        };
        let nonce: [u8; 24] = hex::decode(text(v, "nonce")).unwrap().try_into().unwrap();
        let now = v["now"].as_u64().unwrap();
        let payload = text(v, "payload").as_bytes();
        let sealed = sealer(seal_ring)
            .seal_bytes_with_fixed_nonce_at_insecure(payload, now, nonce)
            .unwrap();
        let what = format!("{backend}: {}", text(v, "description"));
        assert_eq!(sealed, text(v, "value"), "{what}");
        let opened = sealer(open_ring).open_bytes_at(&sealed, now).unwrap();
        assert_eq!(opened.data, payload, "{what}");
        checked += 1;
    }
    checked
}

#[test]
fn both_backends_seal_the_frozen_vectors_to_the_same_bytes() {
    use_software_aes();
    assert_eq!(host_aes_min_len(), -1.0);
    let before = DONE.get();
    assert!(check_vectors("software") >= 7);
    assert_eq!(DONE.get(), before, "software means no host call");

    let in_node = PROCESS.with(Option::is_some);
    match node_crypto_host() {
        Some(host) => {
            use_host_aes(host, 0);
            assert_eq!(host_aes_min_len(), 0.0);
            let before = DONE.get();
            let checked = check_vectors("node-crypto");
            assert!(checked >= 7);
            assert_eq!(
                DONE.get() - before,
                2 * checked,
                "node:crypto sealed and opened each"
            );
        }
        None => assert!(
            !in_node,
            "Node has node:crypto, but no host backend was made"
        ),
    }
    use_software_aes();
}
