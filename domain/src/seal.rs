//! Secrets at rest (authenticator secrets, federations' client secrets): AES-256-GCM under a
//! server secret of their own per kind, so a copy of the table alone does not give them away.
use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;

use crate::error::{Error, Result};
use crate::Db;

fn cipher(key: &[u8]) -> Result<Aes256Gcm> {
    Aes256Gcm::new_from_slice(key).map_err(|_| Error::Internal("seal key".into()))
}

/// `plain`, sealed under the server secret `kind`: base64 of the nonce and the ciphertext.
pub(crate) async fn seal(db: &Db, kind: &'static str, plain: &[u8]) -> Result<String> {
    let key = crate::secrets::named(db, kind).await?;
    let nonce: [u8; 12] = rand::random();
    let sealed = cipher(&key)?
        .encrypt(&Nonce::from(nonce), plain)
        .map_err(|_| Error::Internal("seal".into()))?;
    let mut out = nonce.to_vec();
    out.extend(sealed);
    Ok(B64.encode(out))
}

/// The secret [`seal`] sealed.
pub(crate) async fn open(db: &Db, kind: &'static str, sealed: &str) -> Result<Vec<u8>> {
    let key = crate::secrets::named(db, kind).await?;
    let bytes = B64
        .decode(sealed)
        .map_err(|_| Error::Internal("sealed secret".into()))?;
    if bytes.len() < 12 {
        return Err(Error::Internal("sealed secret".into()));
    }
    let (nonce, sealed) = bytes.split_at(12);
    let nonce: [u8; 12] = nonce
        .try_into()
        .map_err(|_| Error::Internal("sealed secret".into()))?;
    cipher(&key)?
        .decrypt(&Nonce::from(nonce), sealed)
        .map_err(|_| Error::Internal("sealed secret".into()))
}
