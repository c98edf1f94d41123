// The fuzz harness: one plain function per target, each feeding arbitrary bytes through the
// public API and asserting what docs/FORMAT.md promises, not only that nothing panics.
//
// It is shared, by `#[path]`, between the cargo-fuzz targets in fuzz/fuzz_targets/ (nightly,
// libFuzzer) and tests/fuzz_replay.rs (stable `cargo test`), which replays every file of
// fuzz/corpus/<target>/ through the same functions, so a crash once found stays a test.
//
// Inputs are read from the bytes with a small cursor rather than an `Arbitrary` derive, so
// the stable test needs no extra dependency, and a missing byte reads as zero.
//
// Expected results come from a model of the format written from FORMAT.md (`model_open`,
// `model_header`), compared with what the crate returns: error codes must match exactly,
// and an opened session must carry exactly the claims that were sealed.
//
// Every input any run found that failed is kept in the corpus, under a name saying what it
// found (`regression-*`, `sign-in-after-issue*`, `read-ok-write-expired`).

#![allow(dead_code)]

use std::str::FromStr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use cookie_seal::{
    Error, Key, Keyring, MemoryRevocation, ResealReason, Sealer, Session, SessionId,
    SessionManager, SignIn, Subject, format, seal_raw_claims_with_fixed_nonce_insecure,
};

/// 2026-01-01T00:00:00Z, the base time of the vectors.
pub const T: u64 = 1_767_225_600;
const LIMIT: usize = 4096;
const NONCE: [u8; 24] = [0xe0; 24];

// ---- input cursor ------------------------------------------------------------------------

/// Reads fixed-width fields off the front of the fuzz input; past the end everything is 0.
pub struct Bytes<'a>(pub &'a [u8]);

impl<'a> Bytes<'a> {
    pub fn take(&mut self, n: usize) -> &'a [u8] {
        let (head, rest) = self.0.split_at(n.min(self.0.len()));
        self.0 = rest;
        head
    }
    fn array<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0u8; N];
        let head = self.take(N);
        out[..head.len()].copy_from_slice(head);
        out
    }
    pub fn u8(&mut self) -> u8 {
        self.array::<1>()[0]
    }
    pub fn u16(&mut self) -> u16 {
        u16::from_le_bytes(self.array())
    }
    pub fn u32(&mut self) -> u32 {
        u32::from_le_bytes(self.array())
    }
    pub fn u64(&mut self) -> u64 {
        u64::from_le_bytes(self.array())
    }
    pub fn rest(&mut self) -> &'a [u8] {
        self.take(usize::MAX)
    }
}

/// `base` moved by a signed 32-bit offset, saturating: times cluster around the boundaries.
fn offset(base: u64, raw: u32) -> u64 {
    base.saturating_add_signed(i64::from(raw as i32))
}

// ---- fixed keys and the leak check -------------------------------------------------------

/// A counting key `start, start + 1, …`, as in tests/vectors: obviously not secret.
pub fn key_bytes(start: u8) -> [u8; 32] {
    core::array::from_fn(|i| start.wrapping_add(i as u8))
}

fn key(start: u8) -> Key {
    Key::from_bytes(&key_bytes(start)).expect("32 bytes")
}

fn b64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The keys the targets use: k2 (primary) and k1 in the reader's ring, k9 unknown to it.
const KEY_STARTS: [(&str, u8); 3] = [("k2", 0x20), ("k1", 0x00), ("k9", 0x90)];

fn reader_ring() -> Keyring {
    Keyring::new("k2", key(0x20))
        .and_then(|r| r.with_key("k1", key(0x00)))
        .expect("a valid ring")
}

fn single_ring(which: usize) -> Keyring {
    let (id, start) = KEY_STARTS[which];
    Keyring::new(id, key(start)).expect("a valid ring")
}

fn secrets() -> &'static [String] {
    static SECRETS: OnceLock<Vec<String>> = OnceLock::new();
    SECRETS.get_or_init(|| {
        KEY_STARTS
            .iter()
            .flat_map(|(_, start)| {
                let bytes = key_bytes(*start);
                let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
                [b64(&bytes), hex]
            })
            .collect()
    })
}

fn is_b64(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

/// Nothing key-like reaches `text`: none of the fixed keys, and, when `input` is given, no
/// run of more than 20 base64url characters copied from the input: longer than any key id
/// (16) or error variant name, shorter than half a key (43).
pub fn assert_quiet(text: &str, input: Option<&[u8]>) {
    for secret in secrets() {
        assert!(
            !text.contains(secret.as_str()),
            "key material in output: {text}"
        );
    }
    let Some(input) = input else { return };
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        while i < bytes.len() && is_b64(bytes[i]) {
            i += 1;
        }
        if i - start > 20 {
            let run = &bytes[start..i];
            assert!(
                !input.windows(run.len()).any(|w| w == run),
                "input echoed in output: {text}"
            );
        }
        i += 1;
    }
}

fn assert_quiet_error(err: &Error, input: &[u8]) {
    assert_quiet(&err.to_string(), Some(input));
    assert_quiet(&format!("{err:?}"), Some(input));
}

// ---- configuration -----------------------------------------------------------------------

/// The reader settings a target runs under.
#[derive(Debug, Clone)]
pub struct Config {
    pub name: &'static str,
    pub max_chunks: usize,
    pub leeway: u64,
    pub idle: u64,
    pub absolute: u64,
    pub remember_idle: u64,
    pub remember_absolute: u64,
    pub renew: f64,
    pub cutoff: u64,
}

impl Config {
    /// The configuration of tests/vectors/session-v1.json.
    pub fn vectors() -> Config {
        Config {
            name: "__Host-session",
            max_chunks: 3,
            leeway: 60,
            idle: 3_600,
            absolute: 28_800,
            remember_idle: 604_800,
            remember_absolute: 2_592_000,
            renew: 0.25,
            cutoff: 0,
        }
    }

    fn read(r: &mut Bytes<'_>) -> Config {
        let names = ["__Host-session", "s", "sid", "__Secure-a.b"];
        let name = names[usize::from(r.u8()) % names.len()];
        let max_chunks = 1 + usize::from(r.u8()) % 10;
        let leeway = u64::from(r.u16()) % 3_601;
        let idle = 1 + u64::from(r.u32()) % 200_000;
        let absolute = idle + u64::from(r.u32()) % 400_000;
        let remember_idle = 1 + u64::from(r.u32()) % 2_000_000;
        let remember_absolute = remember_idle + u64::from(r.u32()) % 4_000_000;
        let renew = (f64::from(r.u8()) + 1.0) / 256.0;
        let cutoff = match r.u8() % 4 {
            0 => offset(T, r.u32()),
            _ => 0,
        };
        Config {
            name,
            max_chunks,
            leeway,
            idle,
            absolute,
            remember_idle,
            remember_absolute,
            renew,
            cutoff,
        }
    }

    fn lifetimes(&self, remember: bool) -> (u64, u64) {
        if remember {
            (self.remember_idle, self.remember_absolute)
        } else {
            (self.idle, self.absolute)
        }
    }

    fn longest(&self) -> u64 {
        self.absolute.max(self.remember_absolute)
    }

    fn sealer(&self, ring: Keyring) -> Sealer {
        Sealer::builder(ring, self.name)
            .purpose("session")
            .leeway(Duration::from_secs(self.leeway))
            .build()
            .expect("the sealer builds")
    }

    pub fn manager(&self, revocation: Option<Arc<MemoryRevocation>>) -> SessionManager {
        let mut b = SessionManager::builder(reader_ring(), self.name)
            .purpose("session")
            .idle_timeout(Duration::from_secs(self.idle))
            .absolute_lifetime(Duration::from_secs(self.absolute))
            .remember_me(
                Duration::from_secs(self.remember_idle),
                Duration::from_secs(self.remember_absolute),
            )
            .leeway(Duration::from_secs(self.leeway))
            .max_chunks(self.max_chunks)
            .renew_when_remaining(self.renew);
        // The sign-in cutoff; the one builder call here whose name may change.
        b = b.revoke_signed_in_before(self.cutoff);
        if let Some(r) = revocation {
            b = b.revocation(r);
        }
        b.build().expect("the configuration builds")
    }
}

// ---- the model ---------------------------------------------------------------------------

/// Claims as a reader parses them from plaintext (FORMAT.md §3), written independently of
/// the crate's parser.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    pub issued_at: u64,
    pub expires_at: u64,
    pub not_before: Option<u64>,
    pub session_id: Option<[u8; 16]>,
    pub signed_in_at: Option<u64>,
    pub remember_me: bool,
    pub subject: Option<(String, u64)>,
    pub validated_at: Option<u64>,
    pub payload: Vec<u8>,
}

pub fn parse_plaintext(p: &[u8]) -> Result<Parsed, &'static str> {
    let mut r = Fields(p);
    let flags = r.take(1)?[0];
    // 0x20 (validated_at) is a claim only beside the session id and sign-in time.
    if flags & 0xc0 != 0 || (flags & 0x20 != 0 && flags & 0x06 != 0x06) {
        return Err("UNSUPPORTED_VERSION");
    }
    let issued_at = r.u64()?;
    let expires_at = r.u64()?;
    let not_before = if flags & 0x01 != 0 {
        Some(r.u64()?)
    } else {
        None
    };
    let session_id = if flags & 0x02 != 0 {
        Some(r.take(16)?.try_into().expect("16 bytes"))
    } else {
        None
    };
    let signed_in_at = if flags & 0x04 != 0 {
        Some(r.u64()?)
    } else {
        None
    };
    let subject = if flags & 0x10 != 0 {
        let generation = r.u64()?;
        let len = usize::from(r.take(1)?[0]);
        let id = r.take(len)?;
        let id = core::str::from_utf8(id).map_err(|_| "MALFORMED")?;
        if id.is_empty() || id.len() > 128 {
            return Err("MALFORMED");
        }
        Some((id.to_owned(), generation))
    } else {
        None
    };
    let validated_at = if flags & 0x20 != 0 {
        Some(r.u64()?)
    } else {
        None
    };
    Ok(Parsed {
        issued_at,
        expires_at,
        not_before,
        session_id,
        signed_in_at,
        remember_me: flags & 0x08 != 0,
        subject,
        validated_at,
        payload: r.0.to_vec(),
    })
}

struct Fields<'a>(&'a [u8]);

impl<'a> Fields<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], &'static str> {
        if self.0.len() < n {
            return Err("MALFORMED");
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn u64(&mut self) -> Result<u64, &'static str> {
        Ok(u64::from_be_bytes(
            self.take(8)?.try_into().expect("8 bytes"),
        ))
    }
}

/// What the revocation hook was told before the read.
#[derive(Debug, Clone, Default)]
pub struct Revoked {
    pub ids: Vec<[u8; 16]>,
    /// (subject id, lowest valid generation, when it was revoked).
    pub subjects: Vec<(String, u64, u64)>,
}

/// A session reader's verdict on one authentic plaintext at `now` (FORMAT.md §6 steps 10–14
/// and §14). `Err` carries the code, or `"ANY"` when only failure is certain.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    Open {
        parsed: Parsed,
        absolute_expires_at: u64,
        renewal: bool,
    },
    Fails(&'static str),
    /// Open or `EXPIRED` are both right: inside the leeway after the absolute deadline, where
    /// a fix may either refuse the read or allow the write.
    OpenOrExpired {
        parsed: Parsed,
        absolute_expires_at: u64,
        renewal: bool,
    },
    /// Anything, as long as it fails (a sign-in time later than the issue time).
    Refused(Box<Verdict>),
    /// `REVOKED`, or what the inner verdict says.
    MayBeRevoked(Box<Verdict>),
}

pub fn model_open(plaintext: &[u8], cfg: &Config, revoked: &Revoked, now: u64) -> Verdict {
    let parsed = match parse_plaintext(plaintext) {
        Ok(p) => p,
        Err(code) => return Verdict::Fails(code),
    };
    let valid_from = parsed
        .not_before
        .map_or(parsed.issued_at, |n| n.max(parsed.issued_at));
    if valid_from > now.saturating_add(cfg.leeway) {
        return Verdict::Fails("NOT_YET_VALID");
    }
    if now > parsed.expires_at.saturating_add(cfg.leeway) {
        return Verdict::Fails("EXPIRED");
    }
    if core::str::from_utf8(&parsed.payload).is_err() {
        return Verdict::Fails("PAYLOAD");
    }
    let (Some(sid), Some(signed_in_at)) = (parsed.session_id, parsed.signed_in_at) else {
        return Verdict::Fails("MALFORMED");
    };
    if signed_in_at > parsed.issued_at {
        // Refused before the time rules of the session: any failure will do.
        return Verdict::Refused(Box::new(Verdict::Fails("MALFORMED")));
    }
    let late_validation = parsed
        .validated_at
        .is_some_and(|v| v > parsed.issued_at.saturating_add(cfg.leeway));
    if late_validation {
        return Verdict::Fails("MALFORMED");
    }
    let (idle, absolute) = cfg.lifetimes(parsed.remember_me);
    let absolute_expires_at = signed_in_at.saturating_add(absolute);
    if now > absolute_expires_at.saturating_add(cfg.leeway) {
        return Verdict::Fails("EXPIRED");
    }
    let mut open = open_verdict(parsed.clone(), cfg, now, idle, absolute_expires_at);
    if now >= absolute_expires_at
        && let Verdict::Open {
            parsed,
            absolute_expires_at,
            renewal,
        } = open
    {
        open = Verdict::OpenOrExpired {
            parsed,
            absolute_expires_at,
            renewal,
        };
    }
    let by_subject = parsed.subject.as_ref().and_then(|(id, g)| {
        revoked
            .subjects
            .iter()
            .find(|(sub, lowest, _)| sub == id && g < lowest)
    });
    let verdict = if signed_in_at < cfg.cutoff || revoked.ids.contains(&sid) {
        Verdict::Fails("REVOKED")
    } else if let Some(&(_, _, when)) = by_subject {
        // A subject revocation must outlive every session that existed when it was made;
        // a session signed in later with an old generation may be refused or not once
        // `longest_session` has passed.
        let forgotten = now
            > when
                .saturating_add(cfg.longest())
                .saturating_add(cfg.leeway);
        if !forgotten {
            Verdict::Fails("REVOKED")
        } else if signed_in_at > when {
            Verdict::MayBeRevoked(Box::new(open))
        } else {
            Verdict::Fails("REVOKED")
        }
    } else {
        open
    };
    verdict
}

fn open_verdict(
    parsed: Parsed,
    cfg: &Config,
    now: u64,
    idle: u64,
    absolute_expires_at: u64,
) -> Verdict {
    let remaining = parsed.expires_at.saturating_sub(now);
    let renewed = now.saturating_add(idle).min(absolute_expires_at);
    let renewal = (remaining as f64) < (idle as f64) * cfg.renew && renewed > parsed.expires_at;
    Verdict::Open {
        parsed,
        absolute_expires_at,
        renewal,
    }
}

/// The cookie names a session reader looks at: `N` and `N.0` … `N.9`.
fn session_names(name: &str) -> Vec<String> {
    std::iter::once(name.to_owned())
        .chain((0..10).map(|i| format!("{name}.{i}")))
        .collect()
}

/// FORMAT.md §13 step 5: the joined value and its count, or the error code.
pub fn model_join(
    pairs: &[(&str, &str)],
    name: &str,
    max_chunks: usize,
) -> Result<(String, u8), &'static str> {
    let first = |n: &str| pairs.iter().find(|(p, _)| *p == n).map(|(_, v)| *v);
    let head = first(&format!("{name}.0")).ok_or("MALFORMED")?;
    let (count, piece0) = head.split_once('.').ok_or("MALFORMED")?;
    let b = count.as_bytes();
    let canonical = matches!(b.len(), 1 | 2) && b.iter().all(u8::is_ascii_digit) && b[0] != b'0';
    if !canonical {
        return Err("MALFORMED");
    }
    let n: usize = count.parse().map_err(|_| "MALFORMED")?;
    if !(2..=max_chunks).contains(&n) {
        return Err("MALFORMED");
    }
    let mut value = String::new();
    for i in 0..n {
        let chunk_name = format!("{name}.{i}");
        let v = if i == 0 {
            head
        } else {
            first(&chunk_name).ok_or("MALFORMED")?
        };
        if chunk_name.len() + 1 + v.len() > LIMIT {
            return Err("TOO_LARGE");
        }
        value.push_str(if i == 0 { piece0 } else { v });
    }
    Ok((value, n as u8))
}

// ---- building plaintexts, values and headers -----------------------------------------------

/// The plaintext the session writer would seal (FORMAT.md §3, §11).
pub struct Plain {
    pub flags: u8,
    pub issued_at: u64,
    pub expires_at: u64,
    pub not_before: u64,
    pub session_id: [u8; 16],
    pub signed_in_at: u64,
    pub generation: u64,
    pub subject: Vec<u8>,
    /// The subject length byte as written (normally `subject.len()`).
    pub subject_len: u8,
    pub validated_at: u64,
    pub payload: Vec<u8>,
}

impl Plain {
    pub fn session(
        sid: u8,
        signed_in_at: u64,
        issued_at: u64,
        expires_at: u64,
        payload: &[u8],
    ) -> Plain {
        Plain {
            flags: 0x06,
            issued_at,
            expires_at,
            not_before: 0,
            session_id: [sid; 16],
            signed_in_at,
            generation: 0,
            subject: Vec::new(),
            subject_len: 0,
            validated_at: 0,
            payload: payload.to_vec(),
        }
    }

    pub fn with_subject(mut self, id: &str, generation: u64) -> Plain {
        self.flags |= 0x10;
        self.subject = id.as_bytes().to_vec();
        self.subject_len = id.len() as u8;
        self.generation = generation;
        self
    }

    pub fn remember(mut self) -> Plain {
        self.flags |= 0x08;
        self
    }

    pub fn bytes(&self) -> Vec<u8> {
        let mut out = vec![self.flags];
        out.extend_from_slice(&self.issued_at.to_be_bytes());
        out.extend_from_slice(&self.expires_at.to_be_bytes());
        if self.flags & 0x01 != 0 {
            out.extend_from_slice(&self.not_before.to_be_bytes());
        }
        if self.flags & 0x02 != 0 {
            out.extend_from_slice(&self.session_id);
        }
        if self.flags & 0x04 != 0 {
            out.extend_from_slice(&self.signed_in_at.to_be_bytes());
        }
        if self.flags & 0x10 != 0 {
            out.extend_from_slice(&self.generation.to_be_bytes());
            out.push(self.subject_len);
            out.extend_from_slice(&self.subject);
        }
        if self.flags & 0x20 != 0 {
            out.extend_from_slice(&self.validated_at.to_be_bytes());
        }
        out.extend_from_slice(&self.payload);
        out
    }
}

/// `value` cut into `count` cookies as FORMAT.md §12 writes them (`count` 0: one cookie
/// named `name`), with the count spelled `spelling`.
pub fn cut(name: &str, value: &str, count: usize, spelling: &str) -> Vec<(String, String)> {
    if count == 0 {
        return vec![(name.to_owned(), value.to_owned())];
    }
    let size = value.len().div_ceil(count).max(1);
    (0..count)
        .map(|i| {
            let piece = value.get((i * size).min(value.len())..((i + 1) * size).min(value.len()));
            let piece = piece.unwrap_or("");
            let v = if i == 0 {
                format!("{spelling}.{piece}")
            } else {
                piece.to_owned()
            };
            (format!("{name}.{i}"), v)
        })
        .collect()
}

/// The `Cookie` header rules of FORMAT.md, written apart from the crate's parser: split on
/// `;`, trim spaces and tabs, drop one pair of surrounding quotes, skip pairs without `=`,
/// with an empty name or with a control character, keep the first 256. The caller has
/// checked the 64 KiB bound.
fn model_pairs(header: &str) -> Vec<(&str, &str)> {
    let mut pairs = Vec::new();
    for pair in header.split(';') {
        let Some((name, value)) = pair.split_once('=') else {
            continue;
        };
        let name = name.trim_matches([' ', '\t']);
        let mut value = value.trim_matches([' ', '\t']);
        if value.len() >= 2 && value.starts_with('"') && value.ends_with('"') {
            value = &value[1..value.len() - 1];
        }
        let control = |s: &str| s.bytes().any(|b| b.is_ascii_control());
        if name.is_empty() || control(name) || control(value) {
            continue;
        }
        pairs.push((name, value));
        if pairs.len() == cookie_seal::limits::MAX_COOKIE_PAIRS {
            break;
        }
    }
    pairs
}

fn join_header(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(n, v)| format!("{n}={v}"))
        .collect::<Vec<_>>()
        .join("; ")
}

/// A browser's cookie jar after it receives `set_cookie` headers: each sets or deletes a
/// name; the cookies set go first, so the pair cap of a long header cannot hide them.
fn apply(jar: &[(String, String)], set_cookie: &[String]) -> Vec<(String, String)> {
    let mut front = Vec::new();
    let mut touched = Vec::new();
    for h in set_cookie {
        let first = h.split(';').next().expect("a first part");
        let (n, v) = first.split_once('=').expect("name=value");
        touched.push(n.to_owned());
        if !h.contains("; Max-Age=0;") {
            front.push((n.to_owned(), v.to_owned()));
        }
    }
    front.extend(jar.iter().filter(|(n, _)| !touched.contains(n)).cloned());
    front
}

/// Every `Set-Cookie` value has the shape and attributes of FORMAT.md §15 for this
/// (default-attribute) manager, and each cookie fits the browser limit.
fn check_set_cookies(set_cookie: &[String], cfg: &Config, written: &Session<Vec<u8>>, now: u64) {
    let names = session_names(cfg.name);
    for h in set_cookie {
        let (first, attrs) = h.split_once("; ").expect("attributes");
        let (n, v) = first.split_once('=').expect("name=value");
        assert!(names.iter().any(|x| x == n), "{h}");
        assert!(
            first.len() <= LIMIT,
            "cookie over the browser limit: {}",
            first.len()
        );
        if v.is_empty() {
            assert_eq!(
                attrs, "Max-Age=0; Path=/; Secure; HttpOnly; SameSite=Lax",
                "{h}"
            );
        } else if written.remember_me {
            let age = (written.expires_at - now).min(cookie_seal::limits::MAX_AGE_CAP);
            assert_eq!(
                attrs,
                format!("Max-Age={age}; Path=/; Secure; HttpOnly; SameSite=Lax")
            );
        } else {
            assert_eq!(attrs, "Path=/; Secure; HttpOnly; SameSite=Lax", "{h}");
        }
    }
}

/// Writes `s` back at `now`, re-reads it from the resulting jar, and checks that everything
/// the session carries survived, the deadline never passes the absolute one, and the
/// session is over one second after its absolute deadline plus the leeway.
fn write_back(
    m: &SessionManager,
    cfg: &Config,
    jar: &[(String, String)],
    s: &Session<Vec<u8>>,
    now: u64,
    read_at: u64,
) {
    let written = match m.set_cookies_bytes_at(s, now) {
        Ok(h) => h,
        Err(err) => {
            assert_quiet(&err.to_string(), None);
            let over = now >= s.absolute_expires_at;
            match err.code() {
                // A session that read as valid at this very time must be writable.
                "EXPIRED" if over && now == read_at => panic!("read Ok, write {err}"),
                "EXPIRED" => assert!(over, "write refused before the deadline: {err}"),
                "TOO_LARGE" => {}
                // Only a value no writer makes: validated past its issue time plus the leeway
                // at the read, beyond the written cookie's bound.
                "INVALID_OPTION"
                    if s.validated_at.is_some_and(|v| {
                        v > now.max(s.signed_in_at).saturating_add(cfg.leeway)
                    }) => {}
                _ => panic!("write-back failed: {err:?}"),
            }
            return;
        }
    };
    assert!(
        now <= s.absolute_expires_at.saturating_add(cfg.leeway),
        "written after the end"
    );
    let (idle, _) = cfg.lifetimes(s.remember_me);
    let expires_at = now.saturating_add(idle).min(s.absolute_expires_at);
    let mut expected = s.clone();
    (expected.issued_at, expected.expires_at) = (now, expires_at);
    check_set_cookies(&written, cfg, &expected, now);
    let jar = apply(jar, &written);
    let header = join_header(&jar);
    if header.len() > cookie_seal::limits::MAX_COOKIE_HEADER_LEN {
        return;
    }
    let again = m
        .read_bytes_at(&header, now)
        .unwrap_or_else(|e| panic!("the written session does not read back: {e:?}"))
        .expect("the written session is there");
    assert_eq!(again.id, s.id);
    assert_eq!(again.signed_in_at, s.signed_in_at);
    assert_eq!(again.data, s.data);
    assert_eq!(again.subject, s.subject);
    assert_eq!(again.remember_me, s.remember_me);
    assert_eq!(
        again.validated_at, s.validated_at,
        "a write carries the validation"
    );
    assert_eq!(again.absolute_expires_at, s.absolute_expires_at);
    assert_eq!(
        (again.issued_at, again.expires_at),
        (now.max(s.signed_in_at), expires_at)
    );
    assert!(again.expires_at <= again.absolute_expires_at);
    assert_eq!(again.key_id, "k2");
    assert_eq!(again.reseal, None, "a fresh write needs no reseal");
    assert_quiet(&format!("{again:?}"), None);
    let end = again.absolute_expires_at.saturating_add(cfg.leeway);
    if end < u64::MAX {
        let late = m.read_bytes_at(&header, end + 1).map(|s| s.map(|s| s.id));
        assert_eq!(
            late.map_err(|e| e.code()),
            Err("EXPIRED"),
            "open past the absolute end"
        );
    }
    // Signing out leaves no session cookie behind.
    let out = apply(&jar, &m.clear_cookies());
    let header = join_header(&out);
    assert!(
        matches!(m.read_bytes_at(&header, now), Ok(None)),
        "{header}"
    );
}

/// Compares a read with the model's verdict; returns the session when it opened.
fn compare(
    got: Result<Option<Session<Vec<u8>>>, Error>,
    want: &Verdict,
    expect_reseal: Option<ResealReason>,
    input: &[u8],
) -> Option<Session<Vec<u8>>> {
    let got = got.map(|s| s.expect("a session cookie was sent"));
    if let Err(e) = &got {
        assert_quiet_error(e, input);
    }
    match (want, got) {
        (Verdict::Fails(code), Err(e)) => {
            if *code != "ANY" {
                assert_eq!(e.code(), *code, "{e:?}");
            }
            None
        }
        (Verdict::Refused(_), Err(_)) => None,
        (Verdict::Refused(_), Ok(s)) => panic!("should not open: {s:?}"),
        (Verdict::OpenOrExpired { .. }, Err(e)) if e.code() == "EXPIRED" => None,
        (Verdict::MayBeRevoked(_), Err(e)) if e.code() == "REVOKED" => None,
        (Verdict::MayBeRevoked(inner), got) => compare(got.map(Some), inner, expect_reseal, input),
        (
            Verdict::Open {
                parsed,
                absolute_expires_at,
                renewal,
            }
            | Verdict::OpenOrExpired {
                parsed,
                absolute_expires_at,
                renewal,
            },
            Ok(s),
        ) => {
            assert_eq!(s.id.as_bytes(), &parsed.session_id.expect("a session id"));
            assert_eq!(Some(s.signed_in_at), parsed.signed_in_at);
            assert_eq!(
                (s.issued_at, s.expires_at),
                (parsed.issued_at, parsed.expires_at)
            );
            assert_eq!(s.absolute_expires_at, *absolute_expires_at);
            assert_eq!(s.remember_me, parsed.remember_me);
            assert_eq!(s.validated_at, parsed.validated_at);
            assert_eq!(
                s.subject.as_ref().map(|x| (x.id.clone(), x.generation)),
                parsed.subject
            );
            assert_eq!(s.data, parsed.payload);
            let reseal = expect_reseal.or(renewal.then_some(ResealReason::Renewal));
            assert_eq!(s.reseal, reseal);
            assert_quiet(&format!("{s:?}"), None);
            Some(s)
        }
        (want, got) => panic!("model {want:?}, crate {got:?}"),
    }
}

// ---- target (a): hostile values into every open path ---------------------------------------

pub fn open_paths(data: &[u8]) {
    let mut r = Bytes(data);
    let choice = r.u8();
    let now = offset(T, r.u32());
    let split = [r.u16(), r.u16(), r.u16()];
    let value_bytes = r.rest();
    let value = String::from_utf8_lossy(value_bytes);
    let cfg = Config {
        max_chunks: 1 + usize::from(choice % 10),
        ..Config::vectors()
    };
    let sealer = cfg.sealer(reader_ring());
    let m = cfg.manager(None);

    // format::inspect and the sealer's steps 2–7 are the same checks.
    let inspected = format::inspect(&value);
    let opened = sealer.open_bytes_at(&value, now);
    match &inspected {
        Ok(info) => {
            assert_eq!(info.version, 1);
            assert_eq!(info.value_len, value.len());
            assert!((1..=16).contains(&info.key_id.len()));
            assert!(info.key_id.bytes().all(is_b64));
            assert_eq!(format::encoded_len(info.raw_len), value.len());
            assert_eq!(info.encrypted_len + 42 + info.key_id.len(), info.raw_len);
            assert!(info.encrypted_len >= 17);
        }
        Err(e) => {
            assert_quiet_error(e, value_bytes);
            if value.len() + cfg.name.len() < LIMIT {
                let o = opened
                    .as_ref()
                    .expect_err("a value inspect refuses never opens");
                assert_eq!(o.code(), e.code(), "inspect {e:?}, open {o:?}");
            }
        }
    }
    let sealer_code = match &opened {
        Ok(o) => {
            // Authentic (a seed sealed under k1 or k2): the time rules hold.
            assert!(o.issued_at <= now.saturating_add(cfg.leeway));
            assert!(now <= o.expires_at.saturating_add(cfg.leeway));
            assert_eq!(o.needs_reseal, o.key_id != "k2");
            None
        }
        Err(e) => {
            assert_quiet_error(e, value_bytes);
            if value.len() + cfg.name.len() >= LIMIT {
                assert_eq!(e.code(), "TOO_LARGE");
            }
            Some(e.code())
        }
    };

    // The same value as the session cookie: the session reader runs the same steps first.
    let header = format!("{}={value}", cfg.name);
    let clean = !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b';' && b != b'"');
    let read = m.read_bytes_at(&header, now);
    if let Err(e) = &read {
        assert_quiet_error(e, value_bytes);
    }
    if clean && let Some(code) = sealer_code {
        let e = read
            .as_ref()
            .expect_err("a value the sealer refuses is no session");
        assert_eq!(e.code(), code, "sealer {code}, session {e:?}");
    }

    // The value as a whole Cookie header.
    if let Err(e) = m.read_bytes_at(&value, now) {
        assert_quiet_error(&e, value_bytes);
    }

    // Cut into chunks at fuzz-chosen places: joining follows §13 step 5, and a joined value
    // gets the same pre-authentication verdict as the sealer gives it.
    let count = 2 + usize::from(choice >> 4) % 9;
    let mut cuts: Vec<usize> = split
        .iter()
        .map(|&s| usize::from(s) % (value.len() + 1))
        .filter(|&c| value.is_char_boundary(c))
        .collect();
    cuts.sort_unstable();
    let mut pieces = Vec::new();
    let mut last = 0;
    for &c in cuts.iter().take(count - 1) {
        pieces.push(&value[last..c]);
        last = c;
    }
    pieces.push(&value[last..]);
    while pieces.len() < count {
        pieces.push("");
    }
    let mut pairs: Vec<(String, String)> = pieces
        .iter()
        .enumerate()
        .map(|(i, p)| (format!("{}.{i}", cfg.name), (*p).to_owned()))
        .collect();
    pairs[0].1 = format!("{count}.{}", pairs[0].1);
    let header = join_header(&pairs);
    let read = m.read_bytes_at(&header, now);
    if let Err(e) = &read {
        assert_quiet_error(e, value_bytes);
    }
    let parsed = model_pairs(&header);
    if pieces.iter().all(|p| {
        p.bytes()
            .all(|b| b.is_ascii_graphic() && b != b';' && b != b'"')
    }) && parsed.len() == count
    {
        match model_join(&parsed, cfg.name, cfg.max_chunks) {
            Err(code) => assert_eq!(read.as_ref().map(|_| ()).map_err(Error::code), Err(code)),
            Ok((joined, _)) => {
                // Before authentication the chunked reader and inspect agree; after it, a
                // value that is not sealed for (0, n) can only fail authentication.
                let got = read.as_ref().expect_err("never authentic");
                match format::inspect(&joined) {
                    Err(e) => assert_eq!(got.code(), e.code(), "inspect {e:?}, chunked {got:?}"),
                    Ok(info) if !["k1", "k2"].contains(&info.key_id.as_str()) => {
                        assert_eq!(got.code(), "UNKNOWN_KEY")
                    }
                    Ok(_) => assert_eq!(got.code(), "BAD_SEAL"),
                }
            }
        }
    }
}

// ---- target (b): authentic values with arbitrary claims and chunk counts ------------------

pub fn authentic_sessions(data: &[u8]) {
    let mut r = Bytes(data);
    let c = r.u16();
    let cfg = Config::read(&mut r);
    let base = if c & 1 != 0 { r.u64() } else { T };
    let mut flags = r.u8();
    if c & 2 == 0 {
        flags = (flags & 0x39) | 0x06;
    }
    let issued_at = offset(base, r.u32());
    let exp_raw = r.u32();
    let expires_at = if c & 4 == 0 {
        issued_at.saturating_add(u64::from(exp_raw) % 3_000_000)
    } else {
        offset(base, exp_raw)
    };
    let not_before = offset(base, r.u32());
    let session_id: [u8; 16] = r.array();
    let sia_raw = r.u32();
    let signed_in_at = if c & 8 == 0 {
        issued_at.saturating_sub(u64::from(sia_raw) % 3_000_000)
    } else {
        offset(base, sia_raw)
    };
    let generation = u64::from(r.u8());
    let now = offset(issued_at, r.u32());
    let write_delay = if c & 0x4000 != 0 {
        u64::from(r.u32())
    } else {
        0
    };
    let key_choice = r.u8() % 8;
    let count_choice = r.u8();
    let revoke_raw = r.u32();
    let sub_len = r.u8();
    let (subject, subject_len) = if c & 16 == 0 {
        let len = 1 + usize::from(sub_len) % 128;
        let bytes: Vec<u8> = r.take(len).iter().map(|b| b'a' + b % 26).collect();
        let mut bytes = bytes;
        bytes.resize(len, b'x');
        (bytes, len as u8)
    } else {
        (r.take(usize::from(sub_len)).to_vec(), sub_len)
    };
    // Around the issue time, where the reader's bound (issued_at + leeway) lies.
    let validated_at = if c & 0x2000 != 0 {
        offset(issued_at, r.u32())
    } else {
        issued_at.saturating_sub(u64::from(generation))
    };
    let mut payload = r.rest().to_vec();
    payload.truncate(9_000);
    let plain = Plain {
        flags,
        issued_at,
        expires_at,
        not_before,
        session_id,
        signed_in_at,
        generation,
        subject,
        subject_len,
        validated_at,
        payload,
    };
    let mut plaintext = plain.bytes();
    if c & 32 != 0 {
        // A writer that stops early: cut inside the claims.
        plaintext.truncate(usize::from(count_choice) % 60);
    }

    let (key_index, expect_reseal) = match key_choice {
        6 => (1, Some(ResealReason::KeyRotation)),
        7 => (2, None),
        _ => (0, None),
    };
    let (count, spelling) = if count_choice < 128 {
        (0, String::new())
    } else {
        let n = usize::from(count_choice) % 12;
        let spelling = if c & 64 != 0 {
            format!("0{n}")
        } else {
            n.to_string()
        };
        (n, spelling)
    };
    let sealer = cfg.sealer(single_ring(key_index));
    let value = seal_raw_claims_with_fixed_nonce_insecure(&sealer, &plaintext, count as u8, NONCE)
        .expect("seals");
    let mut pairs = cut(cfg.name, &value, count, &spelling);
    let mut stale = false;
    if c & 128 != 0 && count <= 9 {
        pairs.push((format!("{}.9", cfg.name), "left-over".into()));
        stale = true;
    }
    if c & 256 != 0 {
        pairs.insert(0, ("theme".into(), "dark".into()));
    }
    let mut header_pairs = pairs.clone();
    for (_, v) in header_pairs.iter_mut() {
        if c & 512 != 0 {
            *v = format!("\"{v}\"");
        }
        if c & 1024 != 0 {
            *v = format!(" \t{v} ");
        }
    }
    let header = join_header(&header_pairs);

    // Revocation: by id, by subject generation, then a later call that prunes.
    let revocation = Arc::new(MemoryRevocation::new(Duration::from_secs(cfg.longest())));
    let mut revoked = Revoked::default();
    let model_plain = parse_plaintext(&plaintext).ok();
    if let Some(p) = &model_plain
        && let (Some(sid), Some(sia)) = (p.session_id, p.signed_in_at)
    {
        let when = now.saturating_sub(u64::from(revoke_raw) % 8_000_000);
        let id = SessionId::from_str(&b64(&sid)).expect("22 characters");
        if c & 0x800 != 0 {
            let (_, absolute) = cfg.lifetimes(p.remember_me);
            let until = sia.saturating_add(absolute).saturating_add(cfg.leeway);
            revocation
                .revoke_id(id, until, when)
                .expect("far below the capacity");
            revoked.ids.push(sid);
        }
        if c & 0x1000 != 0
            && let Some((sub, g)) = &p.subject
        {
            let lowest = g.saturating_add(u64::from(revoke_raw & 3));
            revocation
                .revoke_subject_below(sub, lowest, when)
                .expect("far below the capacity");
            revoked.subjects.push((sub.clone(), lowest, when));
        }
        let mut other = sid;
        other[0] ^= 0xff;
        revocation
            .revoke_id(SessionId::from_str(&b64(&other)).expect("22"), 0, now)
            .expect("far below the capacity");
    }
    let m = cfg.manager(Some(revocation));

    // What the reader must say: the envelope first (sizes, count, key), then the claims.
    let want = (|| {
        let header_pairs: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        if count == 0 {
            if cfg.name.len() + 1 + value.len() > LIMIT {
                return Verdict::Fails("TOO_LARGE");
            }
        } else if let Err(code) = model_join(&header_pairs, cfg.name, cfg.max_chunks) {
            return Verdict::Fails(code);
        }
        if plaintext.len() < 17 {
            // Shorter than the base claims: refused from its length, before the key id.
            return Verdict::Fails("MALFORMED");
        }
        if key_index == 2 {
            return Verdict::Fails("UNKNOWN_KEY");
        }
        model_open(&plaintext, &cfg, &revoked, now)
    })();
    let expect_reseal = expect_reseal.or(stale.then_some(ResealReason::StaleCookies));
    let got = m.read_bytes_at(&header, now);
    let Some(s) = compare(got, &want, expect_reseal, data) else {
        return;
    };
    write_back(&m, &cfg, &pairs, &s, now.saturating_add(write_delay), now);
    if write_delay == 0 || plain.subject.is_empty() {
        return;
    }
    // A fresh sign-in with the same data, subject and kind goes through the same cycle.
    let Ok(text) = core::str::from_utf8(&plain.subject) else {
        return;
    };
    let Ok(subject) = Subject::new(text, plain.generation) else {
        return;
    };
    let options = SignIn::default()
        .remember_me(plain.remember_me())
        .subject(subject);
    // Its own manager: no cutoff or revocation, which could refuse the new session.
    let cfg = Config { cutoff: 0, ..cfg };
    let m = cfg.manager(None);
    let fresh = m.sign_in(s.data.clone(), options, now).expect("sign in");
    write_back(&m, &cfg, &[], &fresh, now, now);
}

impl Plain {
    fn remember_me(&self) -> bool {
        self.flags & 0x08 != 0
    }
}

// ---- target (c): Cookie headers of real, expired, revoked and chunked cookies, and junk ----

/// A cookie of the fixture: the plaintext sealed, and the pairs it was written as.
pub struct Item {
    pub plaintext: Vec<u8>,
    pub value: String,
    pub count: usize,
    pub pairs: Vec<(String, String)>,
    pub rotated: bool,
}

pub struct Fixture {
    pub cfg: Config,
    pub manager: SessionManager,
    pub revoked: Revoked,
    pub items: Vec<Item>,
}

fn cart(items: usize) -> Vec<u8> {
    let list: Vec<String> = (0..items)
        .map(|i| format!(r#"{{"sku":"SKU-{i:05}","qty":{}}}"#, i % 7 + 1))
        .collect();
    format!(r#"{{"cart":[{}]}}"#, list.join(",")).into_bytes()
}

pub fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let cfg = Config::vectors();
        let small = br#"{"uid":42}"#;
        let h = 3_600;
        let plains: Vec<(Plain, usize, bool)> = vec![
            (Plain::session(1, T, T, T + h, small), 0, false),
            (
                Plain::session(2, T, T, T + 7 * 86_400, small)
                    .with_subject("ada@example.com", 7)
                    .remember(),
                0,
                false,
            ),
            (Plain::session(3, T, T, T + h, &cart(160)), 2, false),
            (Plain::session(4, T, T, T + h, &cart(290)), 3, false),
            // Expired at T: idle deadline long gone.
            (
                Plain::session(5, T - 40_000, T - 30_000, T - 26_400, small),
                0,
                false,
            ),
            // Revoked by id, and by subject generation.
            (Plain::session(6, T, T, T + h, small), 0, false),
            (
                Plain::session(7, T, T, T + h, small).with_subject("mallory", 1),
                0,
                false,
            ),
            // Under the old key k1.
            (Plain::session(8, T, T, T + h, small), 0, true),
            // Signed in 20000 s before T: its absolute end is T + 8800.
            (
                Plain::session(9, T - 20_000, T - 1_000, T + 2_600, small),
                0,
                false,
            ),
            // A chunked session whose idle deadline is already past at T.
            (
                Plain::session(10, T - 10_000, T - 5_000, T - 1_400, &cart(160)),
                2,
                false,
            ),
        ];
        let mut items = Vec::new();
        for (plain, count, rotated) in plains {
            let plaintext = plain.bytes();
            let sealer = cfg.sealer(single_ring(usize::from(rotated)));
            let value =
                seal_raw_claims_with_fixed_nonce_insecure(&sealer, &plaintext, count as u8, NONCE)
                    .expect("seals");
            let pairs = if count == 0 {
                cut(cfg.name, &value, 0, "")
            } else {
                writer_cut(cfg.name, &value, count)
            };
            items.push(Item {
                plaintext,
                value,
                count,
                pairs,
                rotated,
            });
        }
        // What a plain Sealer writes: authentic, but no session claims.
        let mut plain = Plain::session(0, 0, T, T + 7 * 86_400, small);
        plain.flags = 0;
        let plaintext = plain.bytes();
        let value = seal_raw_claims_with_fixed_nonce_insecure(
            &cfg.sealer(reader_ring()),
            &plaintext,
            0,
            NONCE,
        )
        .expect("seals");
        items.push(Item {
            plaintext,
            pairs: vec![(cfg.name.to_owned(), value.clone())],
            value,
            count: 0,
            rotated: false,
        });
        let revocation = Arc::new(MemoryRevocation::new(Duration::from_secs(cfg.longest())));
        revocation
            .revoke_id(
                SessionId::from_str(&b64(&[6; 16])).expect("id"),
                T + 28_800 + 60,
                T,
            )
            .expect("far below the capacity");
        revocation
            .revoke_subject_below("mallory", 2, T)
            .expect("far below the capacity");
        let revoked = Revoked {
            ids: vec![[6; 16]],
            subjects: vec![("mallory".into(), 2, T)],
        };
        let manager = cfg.manager(Some(revocation));
        Fixture {
            cfg,
            manager,
            revoked,
            items,
        }
    })
}

/// Cut as the session writer cuts (§12): each cookie filled to 4096 bytes in turn.
fn writer_cut(name: &str, value: &str, count: usize) -> Vec<(String, String)> {
    let mut rest = value;
    (0..count)
        .map(|i| {
            let chunk_name = format!("{name}.{i}");
            let prefix = if i == 0 {
                format!("{count}.")
            } else {
                String::new()
            };
            let room = LIMIT - chunk_name.len() - 1 - prefix.len();
            let (piece, tail) = rest.split_at(room.min(rest.len()));
            rest = tail;
            (chunk_name, prefix + piece)
        })
        .collect()
}

/// The times worth reading at: the edges of the fixture's windows.
const EDGES: [i64; 16] = [
    -61, -60, 0, 2_700, 2_701, 3_660, 3_661, 8_800, 8_860, 8_861, 28_800, 28_860, 28_861, 604_860,
    604_861, 2_592_061,
];

pub fn cookie_headers(data: &[u8]) {
    let fx = fixture();
    let cfg = &fx.cfg;
    let mut r = Bytes(data);
    let t = r.u8();
    let now = match t >> 4 {
        0..=11 => T.saturating_add_signed(EDGES[usize::from(t & 15)]),
        12..=14 => offset(T, r.u32()),
        _ => r.u64(),
    };
    let mut pairs: Vec<String> = Vec::new();
    let mut separators = Vec::new();
    while !r.0.is_empty() && pairs.len() < 400 {
        let op = r.u8();
        let item = &fx.items[usize::from(r.u8()) % fx.items.len()];
        let pair = &item.pairs[usize::from(op >> 5) % item.pairs.len()];
        let text = match op & 7 {
            0 | 1 => format!("{}={}", pair.0, pair.1),
            2 => format!("{}=\"{}\"", pair.0, pair.1),
            3 => {
                // Truncated, or a character changed.
                let at = usize::from(r.u16()) % (pair.1.len() + 1);
                format!("{}={}", pair.0, &pair.1[..at])
            }
            4 => {
                let len = usize::from(r.u8());
                String::from_utf8_lossy(r.take(len)).into_owned()
            }
            5 => {
                let i = r.u8() % 12;
                let len = usize::from(r.u8() % 64);
                let junk = String::from_utf8_lossy(r.take(len)).into_owned();
                if i == 11 {
                    format!("{}={junk}", cfg.name)
                } else {
                    format!("{}.{i}={junk}", cfg.name)
                }
            }
            6 => {
                let len = usize::from(r.u16() % 9_000);
                format!("pad={}", "x".repeat(len))
            }
            _ => format!("{}={}", pair.0.replace("session", "Session"), pair.1),
        };
        pairs.push(text);
        separators.push(match (op >> 3) & 3 {
            0 | 1 => "; ",
            2 => ";",
            _ => " ;\t",
        });
    }
    let mut header = String::new();
    for (i, p) in pairs.iter().enumerate() {
        if i > 0 {
            header.push_str(separators[i]);
        }
        header.push_str(p);
    }
    let got = fx.manager.read_bytes_at(&header, now);
    if let Err(e) = &got {
        assert_quiet_error(e, data);
    }
    if header.len() > cookie_seal::limits::MAX_COOKIE_HEADER_LEN {
        assert_eq!(got.map(|_| ()).map_err(|e| e.code()), Err("TOO_LARGE"));
        return;
    }
    let parsed = model_pairs(&header);
    let (want, reseal) = match model_header(fx, &parsed, now) {
        HeaderWant::NoSession => {
            assert!(matches!(got, Ok(None)), "no session cookie, got {got:?}");
            return;
        }
        HeaderWant::Exact(want, reseal) => (want, reseal),
        HeaderWant::Loose => {
            let Ok(Some(s)) = got else { return };
            let item = fx
                .items
                .iter()
                .find(|i| {
                    parse_plaintext(&i.plaintext)
                        .is_ok_and(|p| p.session_id == Some(*s.id.as_bytes()))
                })
                .expect("an opened session is one the fixture wrote");
            let verdict = model_open(&item.plaintext, cfg, &fx.revoked, now);
            assert!(
                !matches!(verdict, Verdict::Fails(_)),
                "opened {s:?} against {verdict:?}"
            );
            return;
        }
    };
    let Some(s) = compare(got, &want, reseal, data) else {
        return;
    };
    let jar: Vec<(String, String)> = parsed
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect();
    write_back(&fx.manager, cfg, &jar, &s, now, now);
}

/// What a header must read as, by FORMAT.md §13 over the fixture.
enum HeaderWant {
    /// No session cookie at all: `Ok(None)`.
    NoSession,
    /// This verdict (a `Fails("ANY")` accepts any error), with this reseal reason.
    Exact(Verdict, Option<ResealReason>),
    /// A candidate with more than one right outcome came first: the read may open any
    /// fixture session the model does not refuse outright, or fail with any code.
    Loose,
}

fn model_header(fx: &Fixture, pairs: &[(&str, &str)], now: u64) -> HeaderWant {
    let cfg = &fx.cfg;
    let names = session_names(cfg.name);
    let present = names
        .iter()
        .filter(|n| pairs.iter().any(|(p, _)| p == *n))
        .count();
    if present == 0 {
        return HeaderWant::NoSession;
    }
    let verdict_of = |value: &str, count: usize| -> (Verdict, Option<ResealReason>) {
        let Some(item) = fx
            .items
            .iter()
            .find(|i| i.value == value && i.count == count)
        else {
            // Not a value the fixture wrote: truncated, junk, or pieces of another count.
            return (Verdict::Fails("ANY"), None);
        };
        let reseal = if item.rotated {
            Some(ResealReason::KeyRotation)
        } else if present > count.max(1) {
            Some(ResealReason::StaleCookies)
        } else {
            None
        };
        (model_open(&item.plaintext, cfg, &fx.revoked, now), reseal)
    };
    let mut candidates: Vec<(Verdict, Option<ResealReason>)> = pairs
        .iter()
        .filter(|(n, _)| *n == cfg.name)
        .take(3)
        .map(|(_, v)| verdict_of(v, 0))
        .collect();
    if pairs.iter().any(|(n, _)| *n == format!("{}.0", cfg.name)) {
        candidates.push(match model_join(pairs, cfg.name, cfg.max_chunks) {
            Err(code) => (Verdict::Fails(code), None),
            Ok((value, count)) => verdict_of(&value, usize::from(count)),
        });
    } else if candidates.is_empty() {
        // Only N.1 … N.9: no session can be assembled.
        return HeaderWant::Exact(Verdict::Fails("MALFORMED"), None);
    }
    let mut first_error = None;
    for (verdict, reseal) in candidates {
        match verdict {
            Verdict::Open { .. } => return HeaderWant::Exact(verdict, reseal),
            Verdict::Fails(_) => {
                first_error.get_or_insert(verdict);
            }
            _ => return HeaderWant::Loose,
        }
    }
    HeaderWant::Exact(first_error.expect("at least one candidate"), None)
}

// ---- target (d): Keyring::parse ------------------------------------------------------------

pub fn keyring_text(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let parsed = Keyring::parse(&text);
    // The model: comma-separated `id:key` entries, trimmed; at most 32; ids of 1 to 16
    // characters of A-Z a-z 0-9 - _, distinct; keys canonical unpadded base64url of 32 bytes.
    let mut model: Result<Vec<(String, [u8; 32])>, ()> = Ok(Vec::new());
    for (n, entry) in text.split(',').enumerate() {
        let Ok(list) = &mut model else { break };
        let ok = (|| {
            if n >= 32 {
                return None;
            }
            let (id, key) = entry.trim().split_once(':')?;
            let id_ok = (1..=16).contains(&id.len()) && id.bytes().all(is_b64);
            if !id_ok || list.iter().any(|(i, _)| i == id) {
                return None;
            }
            use base64::Engine as _;
            let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(key)
                .ok()?;
            Some((id.to_owned(), bytes.try_into().ok()?))
        })();
        match ok {
            Some(entry) => list.push(entry),
            None => model = Err(()),
        }
    }
    match (parsed, model) {
        (Err(e), Err(())) => {
            assert_eq!(e.code(), "INVALID_KEY");
            assert_quiet_error(&e, data);
        }
        (Ok(ring), Ok(list)) => {
            assert_quiet(&format!("{ring:?}"), Some(data));
            let ids: Vec<&str> = ring.ids().collect();
            assert_eq!(
                ids,
                list.iter().map(|(i, _)| i.as_str()).collect::<Vec<_>>()
            );
            // Each key is the one written: a value sealed under it by a ring built from the
            // model's bytes opens with the parsed ring.
            for (id, bytes) in list.iter().take(3) {
                let own = Keyring::new(id, Key::from_bytes(bytes).expect("32")).expect("ring");
                let value = Sealer::builder(own, "k")
                    .build()
                    .expect("sealer")
                    .seal_bytes_at(b"1", T)
                    .expect("seal");
                let reader = Sealer::builder(ring.clone(), "k").build().expect("sealer");
                let opened = reader
                    .open_bytes_at(&value, T)
                    .expect("the parsed key opens it");
                assert_eq!(opened.data, b"1");
                assert_quiet(&format!("{reader:?}"), Some(data));
            }
        }
        (got, want) => panic!("parse {got:?}, model {want:?}"),
    }
}
