//! Test-only sealing of arbitrary plaintext, compiled only with the `insecure-fixed-nonce`
//! feature. The rule vectors and the fuzz targets need authentic values that the real
//! writers refuse to produce (unknown flag bits, bad subjects, non-UTF-8 payloads, claims
//! in any combination, any chunk count), so this seals exactly the bytes it is given.

use crate::format::{self, ChunkPosition};
use crate::xaes::NONCE_LEN;
use crate::{Error, Sealer};

/// Seals `plaintext` (claims and payload, exactly as given, unchecked) under the primary key
/// of `sealer`, for its cookie name and purpose, with the AAD chunk fields `(0, chunk_count)`
/// and a caller-chosen nonce. **Never use this for anything real**: a fixed nonce destroys
/// confidentiality, and nothing here checks that the claims make sense. It exists to write
/// test vectors and fuzz inputs, and only with the `insecure-fixed-nonce` feature.
///
/// ```
/// use cookie_seal::{Key, Keyring, Sealer, seal_raw_claims_with_fixed_nonce_insecure};
/// let sealer = Sealer::builder(Keyring::new("k1", Key::from_bytes(&[1; 32])?)?, "sid").build()?;
/// // flags 0x00, issued_at 10, expires_at 10 + 7 days, payload "{}": what the plain sealer
/// // writes at 10 with its default ttl, byte for byte.
/// let mut plaintext = vec![0u8];
/// plaintext.extend_from_slice(&10u64.to_be_bytes());
/// plaintext.extend_from_slice(&(10u64 + 7 * 86_400).to_be_bytes());
/// plaintext.extend_from_slice(b"{}");
/// let value = seal_raw_claims_with_fixed_nonce_insecure(&sealer, &plaintext, 0, [7; 24])?;
/// assert_eq!(value, sealer.seal_bytes_with_fixed_nonce_at_insecure(b"{}", 10, [7; 24])?);
/// assert_eq!(sealer.open_bytes_at(&value, 15)?.data, b"{}");
/// // A flag bit no reader knows, in an authentic value: refused after authentication.
/// plaintext[0] = 0x20;
/// let newer = seal_raw_claims_with_fixed_nonce_insecure(&sealer, &plaintext, 0, [7; 24])?;
/// assert_eq!(sealer.open_bytes_at(&newer, 15).unwrap_err().code(), "UNSUPPORTED_VERSION");
/// # Ok::<(), cookie_seal::Error>(())
/// ```
pub fn seal_raw_claims_with_fixed_nonce_insecure(
    sealer: &Sealer,
    plaintext: &[u8],
    chunk_count: u8,
    nonce: [u8; NONCE_LEN],
) -> Result<String, Error> {
    let (key_id, key) = sealer.keyring().primary();
    let chunk = ChunkPosition {
        index: 0,
        count: chunk_count,
    };
    let aad = format::associated_data(key_id, sealer.cookie_name(), sealer.purpose(), chunk);
    let mut raw = vec![format::VERSION, key_id.len() as u8];
    raw.extend_from_slice(key_id.as_bytes());
    raw.extend_from_slice(&nonce);
    let body_start = raw.len();
    raw.extend_from_slice(plaintext);
    let tag = key
        .xaes
        .seal_in_place(&nonce, &aad, &mut raw[body_start..])
        .map_err(|()| Error::Payload("plaintext too long for AES-GCM".into()))?;
    raw.extend_from_slice(&tag);
    Ok(crate::b64::encode(&raw))
}
