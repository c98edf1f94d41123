//! The help texts, one per command, with the defaults and bounds they print read from the
//! library so that they cannot drift from what the tool does.

use cookie_seal::defaults::{DEFAULT_LEEWAY, DEFAULT_PURPOSE, DEFAULT_TTL};
use cookie_seal::format::BROWSER_COOKIE_LIMIT;
use cookie_seal::limits::MAX_LEEWAY;

use crate::args::{DEFAULT_KEYS_ENV, Topic};
use crate::{EXIT_STATUSES, INPUT_LIMIT};

/// The help text for `topic`.
pub fn help(topic: Topic) -> String {
    let keys = format!(
        "  --keys-env NAME   Read the keyring from this environment variable [default: {DEFAULT_KEYS_ENV}]
  --keys-file PATH  Read the keyring from this file instead (surrounding whitespace ignored)"
    );
    let sealer = format!(
        "  --name COOKIE     The cookie's name; the value is bound to it (required)
  --purpose TEXT    What the value is for; it is bound to it too [default: {DEFAULT_PURPOSE}]
  --max-len BYTES   Most bytes for name=value [default and most: {BROWSER_COOKIE_LIMIT}]"
    );
    let input = "  --in FILE         Read from FILE instead of stdin";
    let help = "  -h, --help        Print this help";
    let ttl = DEFAULT_TTL.as_secs();
    let leeway = DEFAULT_LEEWAY.as_secs();
    let max_leeway = MAX_LEEWAY.as_secs();
    match topic {
        Topic::Main => {
            let statuses: String = EXIT_STATUSES
                .iter()
                .map(|(code, status, why)| format!("  {status:>3}  {code:<20} {why}\n"))
                .collect();
            format!(
                "cookie-seal {version}: seal sessions into encrypted, authenticated cookie values
(XAES-256-GCM), and open and inspect them.

Usage: cookie-seal <COMMAND> [OPTIONS]

Commands:
  keygen   Print a new keyring entry (ID:BASE64URL) to add to {DEFAULT_KEYS_ENV}
  seal     Seal a JSON payload (stdin or --in FILE) into a cookie value
  open     Open a cookie value; print its payload and claims as JSON
  inspect  Show a value's version, key id and size against the limit, without a key
  help     Print this help, or a command's (cookie-seal help seal)

Options:
  -h, --help     Print help (every command has its own: cookie-seal seal --help)
  -V, --version  Print the version

Keys are read from the environment variable {DEFAULT_KEYS_ENV} (or --keys-env NAME) or
from --keys-file PATH, as \"k2:BASE64URL,k1:BASE64URL\": the first key seals, all open.
Never on the command line, where `ps` shows them to every user.

Results go to stdout. A failure prints one line on stderr,
  cookie-seal: CODE: message
and exits with the status of its code:
    0  ok
    1  a failure whose code this build does not know yet
{statuses}",
                version = env!("CARGO_PKG_VERSION"),
            )
        }
        Topic::Keygen => format!(
            "Print a new random key as a keyring entry, ID:BASE64URL.

Usage: cookie-seal keygen [OPTIONS]

Put the entry first in {DEFAULT_KEYS_ENV} to seal with it; keep the old entries after it
so cookies sealed under them still open:
  {DEFAULT_KEYS_ENV}=\"$(cookie-seal keygen),${DEFAULT_KEYS_ENV}\"

Options:
  --id ID           Key id, 1 to 16 of A-Z a-z 0-9 _ - [default: today's UTC date, YYYYMMDD]
  --now SECONDS     The time the default id is taken from, seconds since the Unix epoch
{help}
"
        ),
        Topic::Seal => format!(
            "Seal a JSON payload into a cookie value, printed on stdout.

Usage: cookie-seal seal --name COOKIE [OPTIONS] < payload.json

The payload is read from stdin (or --in FILE), at most {INPUT_LIMIT} bytes. It must be
JSON; it is sealed byte for byte, less one trailing newline.

Options:
{sealer}
  --ttl SECONDS     How long the value stays valid [default: {ttl}, 7 days]
  --now SECONDS     Issue time, seconds since the Unix epoch [default: the system clock]
{input}
{keys}
{help}

Example:
  echo '{{\"uid\":42}}' | cookie-seal seal --name __Host-session
"
        ),
        Topic::Open => format!(
            "Open a cookie value and print, as one line of JSON,
  {{\"payload\":…,\"issued_at\":…,\"expires_at\":…,\"key_id\":…,\"needs_reseal\":…}}
The payload is printed exactly as it was sealed; times are seconds since the Unix epoch.
needs_reseal is true when the value was sealed under a key that is no longer the first.

Usage: cookie-seal open --name COOKIE [OPTIONS] [VALUE]

The value is the argument, or read from stdin (or --in FILE); surrounding whitespace is
ignored.

Options:
{sealer}
  --leeway SECONDS  Clock skew allowed when checking the times [default: {leeway}, most: {max_leeway}]
  --now SECONDS     The time to check against, seconds since the Unix epoch [default: the system clock]
{input}
{keys}
{help}

Example:
  cookie-seal open --name __Host-session < value.txt
"
        ),
        Topic::Inspect => format!(
            "Show what anyone can read from a value without its key, as one line of JSON:
version, key_id, value_len, raw_len (decoded bytes), encrypted_len (claims and payload),
name, cookie_len (name=value), limit, percent_used, bytes_remaining,
payload_bytes_remaining (more payload that would still fit), fits.

Usage: cookie-seal inspect [OPTIONS] [VALUE]

The value is the argument, or read from stdin (or --in FILE). No key is needed. Without
--name, cookie_len counts the value alone.

Options:
  --name COOKIE     The cookie's name, counted with the `=` in cookie_len
  --max-len BYTES   The limit to measure against [default and most: {BROWSER_COOKIE_LIMIT}]
{input}
{help}

Example:
  cookie-seal inspect --name __Host-session \"$VALUE\"
"
        ),
    }
}
