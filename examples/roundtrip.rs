//! The demo for now: seal a session, open it, watch forgeries fail, rotate keys.

use cookie_seal::{Error, Key, Keyring, Sealer};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Debug)]
struct Session {
    uid: u64,
    role: String,
}

fn main() -> Result<(), Error> {
    let k1 = Key::generate()?;
    println!(
        "SESSION_KEYS=k1:{}   (what a server would read from its environment)\n",
        k1.to_base64url()
    );
    let sealer = Sealer::builder(Keyring::new("k1", k1.clone())?, "__Host-session").build()?;

    let value = sealer.seal(&Session {
        uid: 42,
        role: "admin".into(),
    })?;
    println!("Set-Cookie: __Host-session={value}; Path=/; Secure; HttpOnly; SameSite=Lax");
    println!(
        "  {} of 4096 bytes used; payloads up to {} bytes fit\n",
        "__Host-session=".len() + value.len(),
        sealer.capacity()
    );

    let opened = sealer.open::<Session>(&value)?;
    println!(
        "opened:   {:?} (key {}, expires at {})",
        opened.data, opened.key_id, opened.expires_at
    );

    let mut forged = value.clone().into_bytes();
    forged[40] = if forged[40] == b'A' { b'B' } else { b'A' };
    let forged = String::from_utf8(forged).expect("base64url is ASCII");
    println!(
        "one character changed:        {}",
        sealer.open::<Session>(&forged).unwrap_err()
    );

    let elsewhere = Sealer::builder(Keyring::new("k1", k1.clone())?, "__Host-other").build()?;
    println!(
        "the value under another name: {}",
        elsewhere.open::<Session>(&value).unwrap_err()
    );

    let ring = Keyring::new("k2", Key::generate()?)?.with_key("k1", k1)?;
    let rotated = Sealer::builder(ring, "__Host-session").build()?;
    let old = rotated.open::<Session>(&value)?;
    println!(
        "\nafter rotating to k2: opened with {}, needs_reseal = {}",
        old.key_id, old.needs_reseal
    );
    let fresh = rotated.open::<Session>(&rotated.seal(&old.data)?)?;
    println!(
        "re-sealed:            opened with {}, needs_reseal = {}",
        fresh.key_id, fresh.needs_reseal
    );
    Ok(())
}
