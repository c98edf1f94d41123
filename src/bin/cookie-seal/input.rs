//! Where bytes come from: stdin, files and the keys environment variable, each read with a
//! bound, and key text kept in memory that is wiped when dropped.

use std::fs::File;
use std::io::Read;

use cookie_seal::limits::MAX_KEYS;
use cookie_seal::{Error, Keyring};
use zeroize::Zeroizing;

use crate::args::{Input, KeySource, shown};
use crate::{Failure, INPUT_LIMIT};

/// Longest keyring text accepted: MAX_KEYS entries of a 16-byte id, `:`, 43 characters and a
/// separator, with generous room for whitespace and line breaks.
const KEYS_LIMIT: usize = MAX_KEYS * 128;

/// The keyring named by --keys-env / --keys-file, in `Keyring::parse` format.
pub fn keyring(source: &KeySource) -> Result<Keyring, Failure> {
    let text: Zeroizing<String> = match source {
        KeySource::Env(name) => {
            let value = std::env::var_os(name).ok_or_else(|| {
                Failure::io(format!("environment variable {} is not set", shown(name)))
            })?;
            // into_string moves the buffer, so the one copy made here is the one wiped.
            Zeroizing::new(value.into_string().map_err(|_| {
                Error::InvalidKey(format!("environment variable {} is not UTF-8", shown(name)))
            })?)
        }
        KeySource::File(path) => {
            let file = File::open(path).map_err(|err| {
                Failure::io(format!(
                    "cannot open keys file {}: {err}",
                    shown(path.as_os_str())
                ))
            })?;
            // Capacity for the whole bound up front, so the buffer never reallocates and
            // leaves an unwiped copy of key text behind.
            let mut bytes = Zeroizing::new(Vec::with_capacity(KEYS_LIMIT + 1));
            file.take(KEYS_LIMIT as u64 + 1)
                .read_to_end(&mut bytes)
                .map_err(|err| {
                    Failure::io(format!(
                        "cannot read keys file {}: {err}",
                        shown(path.as_os_str())
                    ))
                })?;
            if bytes.len() > KEYS_LIMIT {
                return Err(
                    Error::InvalidKey(format!("keys file is over {KEYS_LIMIT} bytes")).into(),
                );
            }
            let text = std::str::from_utf8(&bytes)
                .map_err(|_| Error::InvalidKey("keys file is not UTF-8".into()))?;
            Zeroizing::new(text.to_owned())
        }
    };
    // A trailing newline in a file (or `export SESSION_KEYS="$(cat keys)"`) is not a key.
    Ok(Keyring::parse(text.trim())?)
}

/// All of stdin or of the --in file, at most INPUT_LIMIT bytes.
pub fn read(input: &Input) -> Result<Vec<u8>, Failure> {
    let mut bytes = Vec::new();
    let (result, source) = match input {
        Input::Stdin => (
            bounded(std::io::stdin().lock(), &mut bytes),
            "stdin".to_owned(),
        ),
        Input::File(path) => {
            let file = File::open(path).map_err(|err| {
                Failure::io(format!("cannot open {}: {err}", shown(path.as_os_str())))
            })?;
            (bounded(file, &mut bytes), shown(path.as_os_str()))
        }
        Input::Arg(arg) => return Ok(arg.as_encoded_bytes().to_vec()),
    };
    result.map_err(|err| Failure::io(format!("cannot read {source}: {err}")))?;
    if bytes.len() > INPUT_LIMIT {
        return Err(Failure {
            code: "TOO_LARGE",
            message: format!("{source} is over {INPUT_LIMIT} bytes"),
        });
    }
    Ok(bytes)
}

/// Reads at most one byte past the limit: enough to tell that the input is too long
/// without holding more of it.
fn bounded(reader: impl Read, bytes: &mut Vec<u8>) -> std::io::Result<usize> {
    reader.take(INPUT_LIMIT as u64 + 1).read_to_end(bytes)
}

/// A cookie value from the argument, stdin or a file. Surrounding whitespace is dropped:
/// no cookie value contains any, and `echo` or a copied line adds some.
pub fn value(input: &Input) -> Result<String, Failure> {
    let bytes = read(input)?;
    let text = std::str::from_utf8(&bytes).map_err(|_| Error::Malformed("value is not UTF-8"))?;
    Ok(text.trim().to_owned())
}
