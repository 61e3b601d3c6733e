//! The browser's side of passkeys: the server's options (WebAuthn's JSON form) handed to
//! `navigator.credentials`, and the browser's answer back as JSON. Uses the browser's own
//! JSON conversions (`PublicKeyCredential.parse…OptionsFromJSON`, `toJSON`), so no byte is
//! handled here. Called from event handlers only (never while the server renders).
use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::error::{AppError, Code};

/// Whether this browser can use passkeys the way this page asks for them.
pub fn supported() -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    Reflect::get(&window, &"PublicKeyCredential".into())
        .ok()
        .filter(|pkc| !pkc.is_undefined())
        .and_then(|pkc| Reflect::get(&pkc, &"parseRequestOptionsFromJSON".into()).ok())
        .is_some_and(|f| f.is_function())
}

/// Makes a new passkey with the server's creation options; answers the browser's answer.
pub async fn create(options: &str) -> Result<String, AppError> {
    ceremony("create", "parseCreationOptionsFromJSON", options).await
}

/// Signs the server's challenge with a passkey; answers the browser's answer.
pub async fn get(options: &str) -> Result<String, AppError> {
    ceremony("get", "parseRequestOptionsFromJSON", options).await
}

async fn ceremony(method: &str, parser: &str, options: &str) -> Result<String, AppError> {
    let unsupported = |_| AppError::code(Code::PasskeyBrowserUnsupported);
    let window = web_sys::window().ok_or(AppError::code(Code::PasskeyBrowserUnsupported))?;
    let pkc = Reflect::get(&window, &"PublicKeyCredential".into()).map_err(unsupported)?;
    let parse: Function = Reflect::get(&pkc, &parser.into())
        .map_err(unsupported)?
        .dyn_into()
        .map_err(|_| AppError::code(Code::PasskeyBrowserUnsupported))?;
    let options = js_sys::JSON::parse(options).map_err(unsupported)?;
    let public_key = Reflect::get(&options, &"publicKey".into()).map_err(unsupported)?;
    let public_key = parse.call1(&pkc, &public_key).map_err(unsupported)?;
    let request = Object::new();
    Reflect::set(&request, &"publicKey".into(), &public_key).map_err(unsupported)?;
    let credentials =
        Reflect::get(&window.navigator(), &"credentials".into()).map_err(unsupported)?;
    let call: Function = Reflect::get(&credentials, &method.into())
        .map_err(unsupported)?
        .dyn_into()
        .map_err(|_| AppError::code(Code::PasskeyBrowserUnsupported))?;
    let promise: Promise = call
        .call1(&credentials, &request)
        .map_err(unsupported)?
        .dyn_into()
        .map_err(|_| AppError::code(Code::PasskeyBrowserUnsupported))?;
    // Refused by the user, timed out, or no passkey of this browser fits.
    let credential = JsFuture::from(promise)
        .await
        .map_err(|_: JsValue| AppError::code(Code::PasskeyCancelled))?;
    js_sys::JSON::stringify(&credential)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or(AppError::code(Code::PasskeyBrowserUnsupported))
}
