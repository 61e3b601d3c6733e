//! The authenticator secrets at rest: AES-256-GCM under a server secret of their own, so a
//! copy of the factor table alone does not give the codes away.
use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;

use crate::error::{Error, Result};
use crate::Db;

const SECRET: &str = "second-factors";

fn cipher(key: &[u8]) -> Result<Aes256Gcm> {
    Aes256Gcm::new_from_slice(key).map_err(|_| Error::Internal("factor key".into()))
}

/// The secret, sealed: base64 of the nonce and the ciphertext.
pub(super) async fn seal(db: &Db, plain: &[u8]) -> Result<String> {
    let key = crate::secrets::named(db, SECRET).await?;
    let nonce: [u8; 12] = rand::random();
    let sealed = cipher(&key)?
        .encrypt(&Nonce::from(nonce), plain)
        .map_err(|_| Error::Internal("factor seal".into()))?;
    let mut out = nonce.to_vec();
    out.extend(sealed);
    Ok(B64.encode(out))
}

/// The secret [`seal`] sealed.
pub(super) async fn open(db: &Db, sealed: &str) -> Result<Vec<u8>> {
    let key = crate::secrets::named(db, SECRET).await?;
    let bytes = B64
        .decode(sealed)
        .map_err(|_| Error::Internal("factor secret".into()))?;
    if bytes.len() < 12 {
        return Err(Error::Internal("factor secret".into()));
    }
    let (nonce, sealed) = bytes.split_at(12);
    let nonce: [u8; 12] = nonce
        .try_into()
        .map_err(|_| Error::Internal("factor secret".into()))?;
    cipher(&key)?
        .decrypt(&Nonce::from(nonce), sealed)
        .map_err(|_| Error::Internal("factor secret".into()))
}
