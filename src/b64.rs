//! Unpadded base64url (RFC 4648, section 5), the one text encoding of values, keys and
//! session ids, in its strict form: decoding refuses padding, any byte outside the alphabet,
//! a length of 4n + 1, and set bits after the last whole byte, so every byte string has
//! exactly one accepted text. Written out here rather than taken from a general base64
//! engine because this one encoding is all the crate needs, and in the npm package's wasm
//! module these two loops are several kilobytes (gzipped) smaller.

/// The 64 digits, in value order.
const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// What [`DIGITS`] holds for a byte that is not a digit: the top bit set, which no digit
/// value (0 to 63) has, so one OR over a whole text tells whether any byte was bad.
const NOT_A_DIGIT: u8 = 0x80;

/// The value of every byte as a digit, or [`NOT_A_DIGIT`].
const DIGITS: [u8; 256] = {
    let mut table = [NOT_A_DIGIT; 256];
    let mut i = 0;
    while i < 64 {
        table[ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    table
};

/// Characters of unpadded base64url for `len` bytes.
fn encoded_len(len: usize) -> usize {
    len / 3 * 4 + [0, 2, 3][len % 3]
}

/// `bytes` as unpadded base64url.
pub(crate) fn encode(bytes: &[u8]) -> String {
    // Written through exact-size chunks of a zeroed buffer, so the loops have no bounds or
    // capacity checks.
    let mut out = vec![0u8; encoded_len(bytes.len())];
    #[cfg(not(target_arch = "wasm32"))]
    let (bytes, digits) = blocks::encode(bytes, &mut out);
    #[cfg(target_arch = "wasm32")]
    let digits = &mut out[..];
    let mut groups = bytes.chunks_exact(3);
    let mut digits = digits.chunks_exact_mut(4);
    for (group, quad) in (&mut groups).zip(&mut digits) {
        let n = u32::from(group[0]) << 16 | u32::from(group[1]) << 8 | u32::from(group[2]);
        quad[0] = ALPHABET[(n >> 18) as usize & 63];
        quad[1] = ALPHABET[(n >> 12) as usize & 63];
        quad[2] = ALPHABET[(n >> 6) as usize & 63];
        quad[3] = ALPHABET[n as usize & 63];
    }
    match (groups.remainder(), digits.into_remainder()) {
        (&[a], [x, y]) => {
            *x = ALPHABET[usize::from(a >> 2)];
            *y = ALPHABET[usize::from(a << 4 & 63)];
        }
        (&[a, b], [x, y, z]) => {
            *x = ALPHABET[usize::from(a >> 2)];
            *y = ALPHABET[usize::from((a << 4 | b >> 4) & 63)];
            *z = ALPHABET[usize::from(b << 2 & 63)];
        }
        _ => {}
    }
    // Only alphabet bytes were written, so this never fails; the fallback is never taken.
    String::from_utf8(out).unwrap_or_default()
}

/// The bytes of canonical unpadded base64url `text`, or `None` for any other text.
pub(crate) fn decode(text: &str) -> Option<Vec<u8>> {
    let text = text.as_bytes();
    // One digit over a group of four is not a whole byte.
    let tail_len = match text.len() % 4 {
        0 => 0,
        2 => 1,
        3 => 2,
        _ => return None,
    };
    let mut out = vec![0u8; text.len() / 4 * 3 + tail_len];
    // The OR of every digit value: NOT_A_DIGIT shows up in it if any byte was not a digit.
    // Checked once at the end rather than per byte.
    let mut seen = 0u8;
    #[cfg(not(target_arch = "wasm32"))]
    let (text, bytes) = blocks::decode(text, &mut out, &mut seen);
    #[cfg(target_arch = "wasm32")]
    let bytes = &mut out[..];
    let mut groups = text.chunks_exact(4);
    let mut bytes = bytes.chunks_exact_mut(3);
    for (group, triple) in (&mut groups).zip(&mut bytes) {
        let [a, b, c, d] = [0, 1, 2, 3].map(|i| DIGITS[usize::from(group[i])]);
        seen |= a | b | c | d;
        let n = u32::from(a) << 18 | u32::from(b) << 12 | u32::from(c) << 6 | u32::from(d);
        triple[0] = (n >> 16) as u8;
        triple[1] = (n >> 8) as u8;
        triple[2] = n as u8;
    }
    // The last group: two digits are one byte and three are two; the bits of the last digit
    // past the last byte (`spare`) must be zero.
    let mut spare = 0;
    match (groups.remainder(), bytes.into_remainder()) {
        (&[a, b], [x]) => {
            let [a, b] = [a, b].map(|d| DIGITS[usize::from(d)]);
            seen |= a | b;
            spare = b & 0x0f;
            *x = a << 2 | b >> 4;
        }
        (&[a, b, c], [x, y]) => {
            let [a, b, c] = [a, b, c].map(|d| DIGITS[usize::from(d)]);
            seen |= a | b | c;
            spare = c & 0x03;
            *x = a << 2 | b >> 4;
            *y = b << 4 | c >> 2;
        }
        _ => {}
    }
    if seen & NOT_A_DIGIT != 0 || spare != 0 {
        // What was decoded may be part of a key: wiped, not just freed.
        zeroize::Zeroize::zeroize(&mut out);
        return None;
    }
    Some(out)
}

/// Natively, whole blocks first (24 bytes to 32 digits and back, in 48-bit words): the
/// group-at-a-time loops alone are about 30 % slower than the base64 crate's engine on a
/// large value, and a large seal or open spends a fair part of its time here. Not in wasm,
/// where the unrolled blocks cost about 1 KB gzipped and the cipher dwarfs the encoding.
/// Each returns what is left for the group loops, input and output.
#[cfg(not(target_arch = "wasm32"))]
mod blocks {
    use super::{ALPHABET, DIGITS};

    /// The eight digits of the 48 bits `n` into `out`.
    #[inline(always)]
    fn put_digits(out: &mut [u8], n: u64) {
        for (k, digit) in out.iter_mut().enumerate().take(8) {
            *digit = ALPHABET[(n >> (42 - 6 * k)) as usize & 63];
        }
    }

    pub(super) fn encode<'a, 'b>(bytes: &'a [u8], out: &'b mut [u8]) -> (&'a [u8], &'b mut [u8]) {
        let mut blocks = bytes.chunks_exact(24);
        let mut digits = out.chunks_exact_mut(32);
        for (block, out) in (&mut blocks).zip(&mut digits) {
            let (Ok(block), Ok(out)) =
                (<&[u8; 24]>::try_from(block), <&mut [u8; 32]>::try_from(out))
            else {
                continue;
            };
            // Three overlapping 8-byte reads, of which 6 bytes count, then the last 6 bytes.
            for j in 0..3 {
                let word: [u8; 8] = block[6 * j..6 * j + 8].try_into().unwrap_or_default();
                put_digits(&mut out[8 * j..8 * j + 8], u64::from_be_bytes(word) >> 16);
            }
            let [.., a, b, c, d, e, f] = *block;
            put_digits(&mut out[24..], u64::from_be_bytes([0, 0, a, b, c, d, e, f]));
        }
        (blocks.remainder(), digits.into_remainder())
    }

    /// As [`encode`], the other way; ORs every digit value into `seen`.
    pub(super) fn decode<'a, 'b>(
        text: &'a [u8],
        out: &'b mut [u8],
        seen: &mut u8,
    ) -> (&'a [u8], &'b mut [u8]) {
        let mut blocks = text.chunks_exact(32);
        let mut bytes = out.chunks_exact_mut(24);
        for (block, out) in (&mut blocks).zip(&mut bytes) {
            let (Ok(block), Ok(out)) =
                (<&[u8; 32]>::try_from(block), <&mut [u8; 24]>::try_from(out))
            else {
                continue;
            };
            for j in 0..4 {
                let mut n = 0u64;
                for &byte in &block[8 * j..8 * j + 8] {
                    let digit = DIGITS[usize::from(byte)];
                    *seen |= digit;
                    n = n << 6 | u64::from(digit);
                }
                out[6 * j..6 * j + 6].copy_from_slice(&n.to_be_bytes()[2..]);
            }
        }
        (blocks.remainder(), bytes.into_remainder())
    }
}

#[cfg(test)]
mod tests;
