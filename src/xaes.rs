//! XAES-256-GCM (C2SP, <https://c2sp.org/XAES-256-GCM>) on RustCrypto's `aes` and `aes-gcm`.
//!
//! A 24-byte nonce is split as `N[..12] | N[12..]`. The first half, with the 256-bit key,
//! derives a fresh AES-256-GCM key through two AES-256 block calls (a CMAC-style KDF in
//! counter mode, SP 800-108); the second half is the GCM nonce under that key. Random
//! 24-byte nonces therefore stay safe for about 2^80 messages per key, where plain
//! AES-GCM with random 12-byte nonces stops at 2^32 (SP 800-38D §8.3).

use aes::Aes256Enc;
use aes::cipher::{Array, BlockCipherEncrypt, KeyInit};
use aes_gcm::aead::consts::U12;
use aes_gcm::aead::{Nonce, Tag};
use aes_gcm::{AeadInOut, AesGcm};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use backend::{IV_LEN, Outcome};

// The seam where a binding plugs in a runtime's own AES-256-GCM.
pub(crate) mod backend;

/// AES-256-GCM with a 96-bit nonce on an encrypt-only AES key schedule: GCM never runs
/// the block cipher backwards, and a key is scheduled for every message here.
type Gcm = AesGcm<Aes256Enc, U12>;

/// Bytes in an XAES-256-GCM key.
pub(crate) const KEY_LEN: usize = 32;
/// Bytes in an XAES-256-GCM nonce.
pub(crate) const NONCE_LEN: usize = 24;
/// Bytes in the GCM authentication tag.
pub(crate) const TAG_LEN: usize = 16;

/// A key with the per-key part of the derivation done once: the AES-256 key schedule and
/// the CMAC subkey K1 do not depend on the nonce.
#[derive(Clone)]
pub(crate) struct XaesKey {
    cipher: Aes256Enc,
    k1: [u8; 16],
}

impl Drop for XaesKey {
    fn drop(&mut self) {
        // `cipher` zeroizes its round keys itself (aes's `zeroize` feature).
        self.k1.zeroize();
    }
}

impl ZeroizeOnDrop for XaesKey {}

impl XaesKey {
    /// Boxed, and K1 computed where it stays: returned by value, the struct (K1 with it)
    /// would be moved through a stack slot that nothing wipes, at some optimisation levels.
    pub(crate) fn new(key: &[u8; KEY_LEN]) -> Box<Self> {
        // By reference: `Array::from(*key)` would leave a copy of the key on the stack.
        let mut xaes = Box::new(XaesKey {
            cipher: Aes256Enc::new(key.into()),
            k1: [0u8; 16],
        });
        let mut l = Array::from([0u8; 16]);
        xaes.cipher.encrypt_block(&mut l);
        // K1 = L << 1, reduced by the GF(2^128) polynomial when the top bit falls off.
        for i in 0..16 {
            let carry = if i < 15 { l[i + 1] >> 7 } else { 0 };
            xaes.k1[i] = (l[i] << 1) | carry;
        }
        if l[0] & 0x80 != 0 {
            xaes.k1[15] ^= 0x87;
        }
        l.as_mut_slice().zeroize();
        xaes
    }

    /// The per-message AES-256-GCM key for this nonce (its first half; the second half is
    /// the GCM nonce).
    #[inline(never)]
    pub(crate) fn derive_key(&self, nonce: &[u8; NONCE_LEN]) -> Zeroizing<[u8; KEY_LEN]> {
        let mut blocks = [Array::from([0u8; 16]), Array::from([0u8; 16])];
        for (counter, block) in [1u8, 2].into_iter().zip(blocks.iter_mut()) {
            block[1] = counter;
            block[2] = b'X';
            block[4..].copy_from_slice(&nonce[..12]);
            for (b, k) in block.iter_mut().zip(self.k1) {
                *b ^= k;
            }
        }
        self.cipher.encrypt_blocks(&mut blocks);
        let mut derived = Zeroizing::new([0u8; KEY_LEN]);
        derived[..16].copy_from_slice(&blocks[0]);
        derived[16..].copy_from_slice(&blocks[1]);
        for block in &mut blocks {
            block.as_mut_slice().zeroize();
        }
        derived
    }

    /// The per-message AES-256-GCM instance for this nonce, and the 12-byte GCM nonce.
    fn derive(&self, nonce: &[u8; NONCE_LEN]) -> (Gcm, Nonce<Gcm>) {
        let gcm = Gcm::new(&Array::from(*self.derive_key(nonce)));
        let mut gcm_nonce = Nonce::<Gcm>::default();
        gcm_nonce.copy_from_slice(&nonce[12..]);
        (gcm, gcm_nonce)
    }

    /// Encrypts `buf` in place and returns the tag. Fails only for a plaintext over 2^36
    /// bytes, which the sealer's size bound rules out long before this point.
    pub(crate) fn seal_in_place(
        &self,
        nonce: &[u8; NONCE_LEN],
        aad: &[u8],
        buf: &mut [u8],
    ) -> Result<[u8; TAG_LEN], ()> {
        // Backend seam: a registered AES-256-GCM takes the message if it is long enough.
        if let Some(bulk) = backend::for_len(buf.len()) {
            let mut tag = [0u8; TAG_LEN];
            if (bulk.seal)(&self.derive_key(nonce), &iv(nonce), aad, buf, &mut tag) == Outcome::Done
            {
                return Ok(tag);
            }
        }
        let (gcm, gcm_nonce) = self.derive(nonce);
        gcm_seal(&gcm, &gcm_nonce, aad, buf)
    }

    /// Decrypts `buf` in place if the tag verifies; on failure `buf` holds no plaintext.
    pub(crate) fn open_in_place(
        &self,
        nonce: &[u8; NONCE_LEN],
        aad: &[u8],
        buf: &mut [u8],
        tag: &[u8; TAG_LEN],
    ) -> Result<(), ()> {
        // Backend seam, as in seal_in_place; a rejected tag is final, never retried.
        if let Some(bulk) = backend::for_len(buf.len()) {
            match (bulk.open)(&self.derive_key(nonce), &iv(nonce), aad, buf, tag) {
                Outcome::Done => return Ok(()),
                Outcome::Rejected => return Err(()),
                Outcome::Unavailable => {}
            }
        }
        let (gcm, gcm_nonce) = self.derive(nonce);
        gcm_open(&gcm, &gcm_nonce, aad, buf, tag)
    }
}

/// The GCM nonce: the second half of the XAES nonce.
pub(crate) fn iv(nonce: &[u8; NONCE_LEN]) -> [u8; IV_LEN] {
    let mut iv = [0u8; IV_LEN];
    iv.copy_from_slice(&nonce[NONCE_LEN - IV_LEN..]);
    iv
}

/// The inner AES-256-GCM encryption, kept separate so Wycheproof tests exercise exactly it.
fn gcm_seal(
    gcm: &Gcm,
    nonce: &Nonce<Gcm>,
    aad: &[u8],
    buf: &mut [u8],
) -> Result<[u8; TAG_LEN], ()> {
    gcm.encrypt_inout_detached(nonce, aad, buf.into())
        .map(Into::into)
        .map_err(|_| ())
}

/// The inner AES-256-GCM decryption (see [`gcm_seal`]).
fn gcm_open(
    gcm: &Gcm,
    nonce: &Nonce<Gcm>,
    aad: &[u8],
    buf: &mut [u8],
    tag: &[u8; TAG_LEN],
) -> Result<(), ()> {
    gcm.decrypt_inout_detached(nonce, aad, buf.into(), &Tag::<Gcm>::from(*tag))
        .map_err(|_| ())
}

#[cfg(test)]
mod tests;
