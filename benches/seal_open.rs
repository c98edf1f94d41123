//! Seal/open throughput of cookie-seal against two anchors (see BENCHMARKS.md for the targets).
//!
//! (a) cookie-seal byte API, (b) cookie-seal typed API into `serde_json::Value`,
//! (c) raw AES-256-GCM + base64url with a pre-initialised cipher, (d) the `cookie` crate's
//! `PrivateJar` with `serde_json::Value`. Targets: a/c >= 0.8 per payload, b/d >= 1.0.
//!
//! `cargo bench --bench seal_open` measures and prints a markdown table. Without `--bench`
//! (e.g. `cargo test --benches`) every case runs once as a round-trip check and nothing is
//! timed, so a slow CI machine can never fail it. Extra arguments pick rows by substring of
//! `payload/op`: `cargo bench --bench seal_open -- near-limit/open`.
//!
//! A hand-rolled harness rather than criterion: dev-dependencies are built for every
//! `cargo test`, and criterion's build cost is large on a two-core machine.

// The `cookie` anchor is a native-only dev-dependency; on wasm32 this bench is empty so that
// `--all-targets` builds for wasm32 still compile.
#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    native::main();
}

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::hint::black_box;
    use std::time::{Duration, Instant};

    use aes_gcm::aead::{Nonce, Tag};
    use aes_gcm::{AeadInOut, Aes256Gcm, KeyInit};
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use cookie::{Cookie, CookieJar};
    use cookie_seal::{Keyring, Sealer};
    use serde_json::Value;

    /// Short name and key id: the 2800-byte payload only fits the 4096-byte budget with them.
    const COOKIE_NAME: &str = "s";
    const KEY_ID: &str = "k1";
    const NOW: u64 = 1_700_000_000;

    const GCM_NONCE_LEN: usize = 12;
    const GCM_TAG_LEN: usize = 16;

    /// Long enough for frequency scaling and caches to settle before the first sample.
    const WARM_UP: Duration = Duration::from_millis(100);
    /// Short samples, many rounds: on a shared two-core machine a neighbour's compile slows
    /// whole stretches of time, and short rounds let the paired ratios below cancel it.
    const SAMPLE: Duration = Duration::from_millis(8);
    const ROUNDS: usize = 101;

    const API_NAMES: [&str; 4] = [
        "(a) cookie-seal bytes",
        "(b) cookie-seal Value",
        "(c) aes-gcm + b64url",
        "(d) cookie PrivateJar",
    ];

    struct Payload {
        name: String,
        text: String,
        value: Value,
    }

    fn load_payloads() -> Vec<Payload> {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/bench/payloads.json");
        let raw = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
        let list: Vec<Value> = serde_json::from_str(&raw).expect("payloads.json is a JSON array");
        list.into_iter()
            .map(|entry| {
                let name = entry["name"].as_str().expect("payload name").to_owned();
                let text = entry["text"].as_str().expect("payload text").to_owned();
                let bytes = entry["bytes"].as_u64().expect("payload bytes");
                // A drifted file would silently benchmark something other than what it claims.
                assert_eq!(
                    text.len() as u64,
                    bytes,
                    "payload {name}: `bytes` disagrees with `text`"
                );
                let value = serde_json::from_str(&text).expect("payload text is JSON");
                Payload { name, text, value }
            })
            .collect()
    }

    /// The anchor for the byte API: what a careful hand-written AES-256-GCM cookie costs with
    /// nothing around it (no AAD, no claims, no size check, key schedule done once).
    struct RawGcm {
        gcm: Aes256Gcm,
    }

    impl RawGcm {
        fn new() -> Self {
            let mut key = [0u8; 32];
            getrandom::fill(&mut key).expect("random key");
            RawGcm {
                gcm: Aes256Gcm::new(&key.into()),
            }
        }

        fn seal(&self, payload: &[u8]) -> String {
            let mut buf = Vec::with_capacity(GCM_NONCE_LEN + payload.len() + GCM_TAG_LEN);
            let mut nonce = [0u8; GCM_NONCE_LEN];
            getrandom::fill(&mut nonce).expect("random nonce");
            buf.extend_from_slice(&nonce);
            buf.extend_from_slice(payload);
            let tag = self
                .gcm
                .encrypt_inout_detached(
                    &Nonce::<Aes256Gcm>::from(nonce),
                    &[],
                    (&mut buf[GCM_NONCE_LEN..]).into(),
                )
                .expect("encrypt");
            buf.extend_from_slice(&tag);
            URL_SAFE_NO_PAD.encode(&buf)
        }

        fn open(&self, value: &str) -> Option<Vec<u8>> {
            let mut buf = URL_SAFE_NO_PAD.decode(value).ok()?;
            let body_end = buf.len().checked_sub(GCM_TAG_LEN)?;
            if body_end < GCM_NONCE_LEN {
                return None;
            }
            let nonce = Nonce::<Aes256Gcm>::try_from(&buf[..GCM_NONCE_LEN]).ok()?;
            let tag = Tag::<Aes256Gcm>::try_from(&buf[body_end..]).ok()?;
            self.gcm
                .decrypt_inout_detached(
                    &nonce,
                    &[],
                    (&mut buf[GCM_NONCE_LEN..body_end]).into(),
                    &tag,
                )
                .ok()?;
            // Hand back an owned plaintext, as cookie-seal does, without a second allocation.
            buf.copy_within(GCM_NONCE_LEN..body_end, 0);
            buf.truncate(body_end - GCM_NONCE_LEN);
            Some(buf)
        }
    }

    /// Everything one payload needs, sealed once up front so `open` cases time only opening.
    struct Fixture<'p> {
        payload: &'p Payload,
        sealer: &'p Sealer,
        raw: &'p RawGcm,
        jar_key: &'p cookie::Key,
        sealed_bytes: String,
        sealed_typed: String,
        sealed_raw: String,
        sealed_jar: CookieJar,
    }

    impl<'p> Fixture<'p> {
        fn new(
            payload: &'p Payload,
            sealer: &'p Sealer,
            raw: &'p RawGcm,
            jar_key: &'p cookie::Key,
        ) -> Self {
            let sealed_bytes = sealer
                .seal_bytes_at(payload.text.as_bytes(), NOW)
                .expect("seal (a)");
            let sealed_typed = sealer.seal_at(&payload.value, NOW).expect("seal (b)");
            let sealed_raw = raw.seal(payload.text.as_bytes());
            let mut sealed_jar = CookieJar::new();
            sealed_jar.private_mut(jar_key).add(Cookie::new(
                COOKIE_NAME,
                serde_json::to_string(&payload.value).expect("json"),
            ));
            Fixture {
                payload,
                sealer,
                raw,
                jar_key,
                sealed_bytes,
                sealed_typed,
                sealed_raw,
                sealed_jar,
            }
        }

        /// Every API opens what it sealed back to the payload: a benchmark of a broken path
        /// would be meaningless.
        fn check(&self) {
            let p = self.payload;
            let a = self
                .sealer
                .open_bytes_at(&self.sealed_bytes, NOW)
                .expect("open (a)");
            assert_eq!(a.data, p.text.as_bytes(), "(a) round trip of {}", p.name);
            let b = self
                .sealer
                .open_at::<Value>(&self.sealed_typed, NOW)
                .expect("open (b)");
            assert_eq!(b.data, p.value, "(b) round trip of {}", p.name);
            let c = self.raw.open(&self.sealed_raw).expect("open (c)");
            assert_eq!(c, p.text.as_bytes(), "(c) round trip of {}", p.name);
            let d = self
                .sealed_jar
                .private(self.jar_key)
                .get(COOKIE_NAME)
                .expect("open (d)");
            let d: Value = serde_json::from_str(d.value()).expect("(d) json");
            assert_eq!(d, p.value, "(d) round trip of {}", p.name);
            assert!(
                COOKIE_NAME.len() + 1 + self.sealed_bytes.len() <= 4096,
                "{} does not fit a browser cookie",
                p.name
            );
        }

        fn seal_cases(&self) -> [Box<dyn FnMut() + '_>; 4] {
            let p = self.payload;
            let mut jar = CookieJar::new();
            [
                Box::new(move || {
                    black_box(
                        self.sealer
                            .seal_bytes_at(black_box(p.text.as_bytes()), NOW)
                            .unwrap(),
                    );
                }),
                Box::new(move || {
                    black_box(self.sealer.seal_at(black_box(&p.value), NOW).unwrap());
                }),
                Box::new(move || {
                    black_box(self.raw.seal(black_box(p.text.as_bytes())));
                }),
                Box::new(move || {
                    let json = serde_json::to_string(black_box(&p.value)).unwrap();
                    // Same name every time: the jar replaces the cookie instead of growing.
                    jar.private_mut(self.jar_key)
                        .add(Cookie::new(COOKIE_NAME, json));
                    black_box(&jar);
                }),
            ]
        }

        fn open_cases(&self) -> [Box<dyn FnMut() + '_>; 4] {
            [
                Box::new(move || {
                    black_box(
                        self.sealer
                            .open_bytes_at(black_box(&self.sealed_bytes), NOW)
                            .unwrap(),
                    );
                }),
                Box::new(move || {
                    black_box(
                        self.sealer
                            .open_at::<Value>(black_box(&self.sealed_typed), NOW)
                            .unwrap(),
                    );
                }),
                Box::new(move || {
                    black_box(self.raw.open(black_box(&self.sealed_raw)).unwrap());
                }),
                Box::new(move || {
                    let jar = black_box(&self.sealed_jar);
                    let cookie = jar.private(self.jar_key).get(COOKIE_NAME).unwrap();
                    black_box(serde_json::from_str::<Value>(cookie.value()).unwrap());
                }),
            ]
        }
    }

    fn run_batch(case: &mut dyn FnMut(), iters: u64) -> Duration {
        let start = Instant::now();
        for _ in 0..iters {
            case();
        }
        start.elapsed()
    }

    /// Iterations that take about one `SAMPLE`, found after the case has been warmed up.
    fn calibrate(case: &mut dyn FnMut()) -> u64 {
        let start = Instant::now();
        let mut iters = 1u64;
        let mut per_iter_ns = 1u128;
        while start.elapsed() < WARM_UP {
            let took = run_batch(case, iters);
            per_iter_ns = (took.as_nanos() / u128::from(iters)).max(1);
            iters = iters.saturating_mul(2);
        }
        u64::try_from(SAMPLE.as_nanos() / per_iter_ns)
            .unwrap_or(u64::MAX)
            .max(1)
    }

    /// Median and half the interquartile range relative to the median (how noisy it was).
    struct Stats {
        median: f64,
        spread: f64,
    }

    fn stats(mut values: Vec<f64>) -> Stats {
        values.sort_by(f64::total_cmp);
        let quartile = |q: usize| values[(values.len() - 1) * q / 4];
        let median = quartile(2);
        Stats {
            median,
            spread: (quartile(3) - quartile(1)) / 2.0 / median,
        }
    }

    struct Row {
        ops: [Stats; 4],
        a_over_c: Stats,
        b_over_d: Stats,
    }

    /// Each round times every API once, starting with a different one each round, and the
    /// ratios are taken within a round: a slow stretch of the machine then hits numerator
    /// and denominator alike instead of deciding PASS or MISS.
    fn measure(mut cases: [Box<dyn FnMut() + '_>; 4]) -> Row {
        let iters: Vec<u64> = cases.iter_mut().map(|c| calibrate(c.as_mut())).collect();
        let mut samples: [Vec<f64>; 4] = Default::default();
        for round in 0..ROUNDS {
            for k in 0..4 {
                let i = (round + k) % 4;
                let took = run_batch(cases[i].as_mut(), iters[i]);
                samples[i].push(iters[i] as f64 / took.as_secs_f64());
            }
        }
        let paired = |x: usize, y: usize| -> Vec<f64> {
            samples[x]
                .iter()
                .zip(&samples[y])
                .map(|(x, y)| x / y)
                .collect()
        };
        let (a_over_c, b_over_d) = (stats(paired(0, 2)), stats(paired(1, 3)));
        Row {
            ops: samples.map(stats),
            a_over_c,
            b_over_d,
        }
    }

    fn cpu_model() -> String {
        std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|info| {
                info.lines()
                    .find(|l| l.starts_with("model name"))
                    .and_then(|l| l.split_once(':'))
                    .map(|(_, model)| model.trim().to_owned())
            })
            .unwrap_or_else(|| "unknown CPU".to_owned())
    }

    fn fmt_ops(ops: f64) -> String {
        if ops >= 1e6 {
            format!("{:.2} M", ops / 1e6)
        } else {
            format!("{:.1} k", ops / 1e3)
        }
    }

    fn fmt_ratio(ratio: &Stats, target: f64) -> String {
        let verdict = if ratio.median >= target {
            "PASS"
        } else {
            "MISS"
        };
        format!(
            "{:.3} ±{:.2} {verdict}",
            ratio.median,
            ratio.spread * ratio.median
        )
    }

    pub fn main() {
        // cargo passes `--bench` only under `cargo bench`; anything else is a smoke run.
        let timed = std::env::args().any(|a| a == "--bench");
        // Other arguments select rows by substring of "payload/op", e.g. `-- small/seal`.
        let filters: Vec<String> = std::env::args()
            .skip(1)
            .filter(|a| !a.starts_with("--"))
            .collect();
        let selected =
            |row: &str| filters.is_empty() || filters.iter().any(|f| row.contains(f.as_str()));

        let payloads = load_payloads();
        let ring = Keyring::new(KEY_ID, cookie_seal::Key::generate().expect("key")).expect("ring");
        let sealer = Sealer::builder(ring, COOKIE_NAME).build().expect("sealer");
        let raw = RawGcm::new();
        let jar_key = cookie::Key::generate();
        let fixtures: Vec<Fixture> = payloads
            .iter()
            .map(|p| Fixture::new(p, &sealer, &raw, &jar_key))
            .collect();

        for fixture in &fixtures {
            fixture.check();
            if !timed {
                for mut case in fixture.seal_cases().into_iter().chain(fixture.open_cases()) {
                    case();
                }
            }
        }
        if !timed {
            println!(
                "seal_open: {} payloads round-trip through all four APIs (not timed)",
                fixtures.len()
            );
            return;
        }

        // Numbers mean little without the machine, so the output names it.
        let cpus = std::thread::available_parallelism().map_or(0, usize::from);
        println!("{} ({cpus} logical CPUs)\n", cpu_model());
        println!(
            "| payload | op | {} | {} | {} | {} | a/c (≥ 0.8) | b/d (≥ 1.0) |",
            API_NAMES[0], API_NAMES[1], API_NAMES[2], API_NAMES[3]
        );
        println!("|---|---|--:|--:|--:|--:|--:|--:|");
        let mut worst_spread = 0.0f64;
        let mut misses = 0;
        for fixture in &fixtures {
            let p = fixture.payload;
            for (op, cases) in [
                ("seal", fixture.seal_cases()),
                ("open", fixture.open_cases()),
            ] {
                if !selected(&format!("{}/{op}", p.name)) {
                    continue;
                }
                let row = measure(cases);
                worst_spread = row.ops.iter().fold(worst_spread, |w, s| w.max(s.spread));
                let (ac, bd) = (&row.a_over_c, &row.b_over_d);
                misses += usize::from(ac.median < 0.8) + usize::from(bd.median < 1.0);
                println!(
                    "| {} ({} B) | {op} | {} | {} | {} | {} | {} | {} |",
                    p.name,
                    p.text.len(),
                    fmt_ops(row.ops[0].median),
                    fmt_ops(row.ops[1].median),
                    fmt_ops(row.ops[2].median),
                    fmt_ops(row.ops[3].median),
                    fmt_ratio(ac, 0.8),
                    fmt_ratio(bd, 1.0),
                );
            }
        }
        println!();
        println!(
            "ops/s: median of {ROUNDS} rounds of ~{} ms samples per API. Ratios: median of the \
             per-round ratios, ± half their IQR. Worst half-IQR of any ops/s cell: ±{:.1} %. \
             {misses} target(s) missed.",
            SAMPLE.as_millis(),
            worst_spread * 100.0
        );
    }
}
