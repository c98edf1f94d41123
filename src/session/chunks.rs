//! Chunking, as pure functions of the cookie name and the per-cookie limit: chunk names,
//! how many cookies a value needs, splitting a sealed value into pieces and joining them.
//!
//! A chunked session is sealed once, with the chunk count in the associated data, and the
//! value is cut into pieces: `name.0` holds `"<count>."` and the first piece, `name.1`… the
//! rest. Sealing once (rather than each piece) means pieces of two different sessions can
//! never be spliced together: any missing, reordered or foreign piece fails authentication.

use crate::Error;
use crate::limits::MAX_CHUNKS_LIMIT;

/// The name of chunk `index`: `name.index`.
pub(crate) fn chunk_name(name: &str, index: usize) -> String {
    format!("{name}.{index}")
}

/// Every name a session may be read from, in the reader's order: `name`, `name.0` …
/// `name.9`. Index `i + 1` is chunk `i`.
pub(crate) fn readable_names(name: &str) -> Vec<String> {
    std::iter::once(name.to_owned())
        .chain((0..MAX_CHUNKS_LIMIT).map(|i| chunk_name(name, i)))
        .collect()
}

/// Every name a session may be written under: the name, and its chunks when chunking is on.
pub(crate) fn writable_names(name: &str, max_chunks: usize) -> Vec<String> {
    let chunks = if max_chunks > 1 { max_chunks } else { 0 };
    std::iter::once(name.to_owned())
        .chain((0..chunks).map(|i| chunk_name(name, i)))
        .collect()
}

fn digits(n: usize) -> usize {
    n.checked_ilog10().map_or(1, |d| d as usize + 1)
}

/// Characters of value cookie `name.{index}` holds when the session has `count` chunks:
/// `max_len` less the chunk's name and `=`, and in the first cookie less the `"<count>."`.
pub(crate) fn room(name_len: usize, max_len: usize, index: usize, count: usize) -> usize {
    let name = name_len + 1 + digits(index);
    let prefix = if index == 0 { digits(count) + 1 } else { 0 };
    max_len.saturating_sub(name + 1).saturating_sub(prefix)
}

/// Cookies needed for a value of `value_len` characters (at least 2: it is chunked).
/// Linear in the answer, which the caller compares with `max_chunks` (at most 10).
pub(crate) fn count_needed(name_len: usize, max_len: usize, value_len: usize) -> usize {
    let mut later_rooms = 0usize; // chunks 1.., whose room does not depend on the count
    let mut count = 1;
    loop {
        count += 1;
        later_rooms = later_rooms.saturating_add(room(name_len, max_len, count - 1, count).max(1));
        let total = later_rooms.saturating_add(room(name_len, max_len, 0, count));
        // Each chunk adds at least one character, so this ends by count = value_len.
        if total >= value_len || count >= value_len {
            return count;
        }
    }
}

/// Cuts `value` into `count` cookies: `(name.i, text)` pairs, the first text prefixed with
/// `"<count>."`.
pub(crate) fn split(
    name: &str,
    max_len: usize,
    value: &str,
    count: usize,
) -> Vec<(String, String)> {
    let mut rest = value;
    (0..count)
        .map(|i| {
            let room = room(name.len(), max_len, i, count);
            // A base64url value is ASCII, so any index is a character boundary and the
            // fallback is never taken; checked rather than `split_at` so that no panic path
            // (and its message formatting) ships in the wasm module.
            let (piece, tail) = rest
                .split_at_checked(room.min(rest.len()))
                .unwrap_or((rest, ""));
            rest = tail;
            let text = if i == 0 {
                format!("{count}.{piece}")
            } else {
                piece.to_owned()
            };
            (chunk_name(name, i), text)
        })
        .collect()
}

/// Joins `name.0` (`"<count>.<piece>"`) and `name.1`… as `lookup` finds them into one
/// value and its count, checking each cookie's size and that the count is in range.
pub(crate) fn join<'a>(
    name: &str,
    max_len: usize,
    max_chunks: usize,
    lookup: impl Fn(&str) -> Option<&'a str>,
) -> Result<(String, u8), Error> {
    let first_name = chunk_name(name, 0);
    let head = lookup(&first_name).ok_or(Error::Malformed("missing chunk 0"))?;
    let (count, first_piece) = head
        .split_once('.')
        .ok_or(Error::Malformed("chunk 0 has no count"))?;
    // Strictly [1-9][0-9]?: one spelling per count, as every writer produces it.
    let canonical = matches!(count.len(), 1 | 2)
        && count.bytes().all(|b| b.is_ascii_digit())
        && !count.starts_with('0');
    let count: usize = match count.parse() {
        Ok(n) if canonical => n,
        _ => return Err(Error::Malformed("chunk count")),
    };
    if !(2..=max_chunks).contains(&count) {
        return Err(Error::Malformed("chunk count out of range"));
    }
    let mut value = String::new();
    for i in 0..count {
        let chunk = chunk_name(name, i);
        let (piece, text_len) = if i == 0 {
            (first_piece, head.len())
        } else {
            let piece = lookup(&chunk).ok_or(Error::Malformed("missing chunk"))?;
            (piece, piece.len())
        };
        let actual = chunk.len() + 1 + text_len;
        if actual > max_len {
            return Err(Error::TooLarge {
                actual,
                limit: max_len,
            });
        }
        value.push_str(piece);
    }
    // In range: at most MAX_CHUNKS_LIMIT.
    Ok((value, count as u8))
}

#[cfg(test)]
mod tests {
    // In wasm these run under wasm-bindgen-test, which sees only its own attribute.
    #[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn names_in_reader_and_writer_order() {
        assert_eq!(chunk_name("s", 3), "s.3");
        let read = readable_names("s");
        assert_eq!(
            (read.len(), read[0].as_str(), read[10].as_str()),
            (11, "s", "s.9")
        );
        assert_eq!(writable_names("s", 1), ["s"]);
        assert_eq!(writable_names("s", 2), ["s", "s.0", "s.1"]);
    }

    #[test]
    fn room_leaves_space_for_name_and_count() {
        // "s.0=" + "2." leave 4090 of 4096; "s.1=" leaves 4092.
        assert_eq!(room(1, 4096, 0, 2), 4090);
        assert_eq!(room(1, 4096, 1, 2), 4092);
        assert_eq!(room(1, 4096, 0, 10), 4089);
        assert_eq!(room(5000, 4096, 0, 2), 0);
    }

    #[test]
    fn count_needed_is_the_fewest_that_fit() {
        assert_eq!(count_needed(1, 4096, 4091), 2);
        assert_eq!(count_needed(1, 4096, 4090 + 4092), 2);
        assert_eq!(count_needed(1, 4096, 4090 + 4092 + 1), 3);
        // A limit that leaves no room still ends.
        assert_eq!(count_needed(5000, 4096, 7), 7);
    }

    #[test]
    fn split_then_join_is_the_identity() {
        let value = "A".repeat(9_000);
        let count = count_needed(1, 4096, value.len());
        let parts = split("s", 4096, &value, count);
        assert_eq!(parts.len(), 3);
        assert!(parts[0].1.starts_with("3."));
        assert!(parts.iter().all(|(n, v)| n.len() + 1 + v.len() <= 4096));
        let lookup = |n: &str| parts.iter().find(|(p, _)| p == n).map(|(_, v)| v.as_str());
        assert_eq!(join("s", 4096, 10, lookup).unwrap(), (value, 3));
        // The count must be in range for this manager.
        assert_eq!(join("s", 4096, 2, lookup).unwrap_err().code(), "MALFORMED");
    }

    #[test]
    fn join_refuses_bad_counts_missing_and_oversized_chunks() {
        let join_of = |cookies: &[(&str, &str)]| {
            join("s", 4096, 10, |n| {
                cookies.iter().find(|(p, _)| *p == n).map(|(_, v)| *v)
            })
        };
        for head in ["02.x", "1.x", "x", "a.x", "100.x"] {
            let err = join_of(&[("s.0", head), ("s.1", "y")]).unwrap_err();
            assert_eq!(err.code(), "MALFORMED", "{head}");
        }
        assert!(join_of(&[("s.1", "y")]).is_err());
        assert_eq!(
            join_of(&[("s.0", "3.x"), ("s.1", "y")]).unwrap_err().code(),
            "MALFORMED"
        );
        let big = "y".repeat(4093);
        let err = join_of(&[("s.0", "2.x"), ("s.1", &big)]).unwrap_err();
        assert_eq!(
            err,
            Error::TooLarge {
                actual: 4097,
                limit: 4096
            }
        );
        assert_eq!(
            join_of(&[("s.0", "2.x"), ("s.1", "y")]).unwrap(),
            ("xy".into(), 2)
        );
    }
}
