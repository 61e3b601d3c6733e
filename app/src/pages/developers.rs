//! The HTTP API's reference for developers of applications and external parties, read from
//! the OpenAPI document (which stays the source: `/api/openapi.json`). Public: no sign-in.
use leptos::prelude::*;

use crate::api::reference::{api_reference, Operation, Schema};
use crate::components::loaded::Loaded;
use crate::components::public_page::PublicPage;
use crate::i18n::*;

/// Verifying a signed (not sealed) licence file offline, as `scripts/verify_licence.py` does in
/// full.
const VERIFY_EXAMPLE: &str = r#"import base64, json, time
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

def b64(text): return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))

def verify(file, jwks):            # jwks: GET /api/v1/keys, kept by the application
    header, payload, signature = file.strip().split(".")
    kid = json.loads(b64(header))["kid"]
    key = next(k for k in jwks["keys"] if k["kid"] == kid)  # unknown kid: refuse
    Ed25519PublicKey.from_public_bytes(b64(key["x"])).verify(
        b64(signature), f"{header}.{payload}".encode())     # raises when changed
    claims = json.loads(b64(payload))
    now = time.time()
    assert claims["ver"] == 1 and claims["nbf"] <= now < claims["exp"]
    assert now < claims["check_by"], "check online again"
    return claims"#;

#[component]
pub fn DevelopersPage() -> impl IntoView {
    let i18n = use_i18n();
    let reference = Resource::new(|| (), |_| api_reference());
    view! {
        <PublicPage title=Signal::derive(move || td_string!(i18n.get_locale(), developers.page_title).to_string()) wide=true>
            <p>{t!(i18n, developers.intro)}</p>
            <h2>{t!(i18n, developers.authentication)}</h2>
            <p>{t!(i18n, developers.authentication_help)}</p>
            <pre class="code-block"><code>"curl -H \"Authorization: Bearer lic_…\" -H \"Accept-Language: nl\" \\\n     https://licentia.example/api/v1/me"</code></pre>
            <p>{t!(i18n, developers.errors_help)}</p>
            <p>
                <a href="/api/openapi.json" id="openapi-link" rel="external">{t!(i18n, developers.openapi_link)}</a>
            </p>
            <h2>{t!(i18n, developers.licence_files)}</h2>
            <p>{t!(i18n, developers.licence_files_help)}</p>
            <p>{t!(i18n, developers.licence_files_example)}</p>
            <pre class="code-block" id="licence-file-example"><code>{VERIFY_EXAMPLE}</code></pre>
            <Loaded load=reference loading=true let:reference>
                <h2>{t!(i18n, developers.operations)}</h2>
                <div class="api-operations">
                    {reference.operations.into_iter().map(|op| view! { <OperationView op=op /> }).collect_view()}
                </div>
                <h2>{t!(i18n, developers.schemas)}</h2>
                <div class="api-schemas">
                    {reference.schemas.into_iter().map(|s| view! { <SchemaView schema=s /> }).collect_view()}
                </div>
            </Loaded>
        </PublicPage>
    }
}

#[component]
fn OperationView(op: Operation) -> impl IntoView {
    let i18n = use_i18n();
    let method_class = format!("api-method api-method-{}", op.method.to_lowercase());
    let has_params = !op.parameters.is_empty();
    view! {
        <article class="api-operation">
            <h3 class="api-signature">
                <span class=method_class>{op.method.clone()}</span>
                " "
                <code>{op.path.clone()}</code>
            </h3>
            <p>{op.summary.clone()}</p>
            {(!op.description.is_empty()).then(|| view! { <p class="muted">{op.description.clone()}</p> })}
            {has_params.then(|| view! {
                <div class="table-wrap">
                    <table class="table api-table">
                        <caption class="visually-hidden">{t!(i18n, developers.parameters)}</caption>
                        <thead><tr>
                            <th scope="col">{t!(i18n, developers.parameter)}</th>
                            <th scope="col">{t!(i18n, developers.location)}</th>
                            <th scope="col">{t!(i18n, developers.type_)}</th>
                            <th scope="col">{t!(i18n, developers.description)}</th>
                        </tr></thead>
                        <tbody>
                            {op.parameters.iter().map(|p| view! {
                                <tr>
                                    <td class="mono">{p.name.clone()}{p.required.then_some(" *")}</td>
                                    <td>{p.location.clone()}</td>
                                    <td class="mono">{p.kind.clone()}</td>
                                    <td>{p.description.clone()}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            })}
            {op.body.clone().map(|body| view! {
                <p>{t!(i18n, developers.request_body)} ": " <code>{body}</code></p>
            })}
            <p class="api-responses">
                {t!(i18n, developers.responses)} ": "
                {op.responses.iter().map(|(status, kind)| view! {
                    <span class="api-response"><code>{status.clone()}</code>
                        {(!kind.is_empty()).then(|| view! { " " <span class="muted">{kind.clone()}</span> })}
                    </span>
                }).collect_view()}
            </p>
        </article>
    }
}

#[component]
fn SchemaView(schema: Schema) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <article class="api-schema" id=format!("schema-{}", schema.name)>
            <h3><code>{schema.name.clone()}</code></h3>
            {(!schema.description.is_empty()).then(|| view! { <p>{schema.description.clone()}</p> })}
            <div class="table-wrap">
                <table class="table api-table">
                    <caption class="visually-hidden">{schema.name.clone()}</caption>
                    <thead><tr>
                        <th scope="col">{t!(i18n, developers.field)}</th>
                        <th scope="col">{t!(i18n, developers.type_)}</th>
                        <th scope="col">{t!(i18n, developers.description)}</th>
                    </tr></thead>
                    <tbody>
                        {schema.fields.iter().map(|(name, kind, required, description)| view! {
                            <tr>
                                <td class="mono">{name.clone()}{required.then_some(" *")}</td>
                                <td class="mono">{kind.clone()}</td>
                                <td>{description.clone()}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </article>
    }
}
