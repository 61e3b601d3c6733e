//! What a page loads, shown in one way everywhere: nothing (or "Loading…") while it first
//! loads, the error message in the reader's language when it failed, an empty state when a
//! list came back empty, else the content; on reload the old content stays until the new one
//! is ready (a `Transition`).
//!
//! It is also where a page survives being replaced while it loads: a site created, moved or
//! deleted replaces the user list, its resources are disposed, and an `.await` on a disposed
//! resource panics the wasm (the page then stops answering). [`Load::start`] takes the
//! resources' futures at once, while they are alive, and starts nothing once they are gone.
use std::future::{Future, IntoFuture};
use std::sync::Arc;

use leptos::prelude::*;

use crate::components::error_message::ErrorMessage;
use crate::error::AppError;
use crate::i18n::*;

/// Something a page waits for: a resource, or several (a tuple), or one whose failure is no
/// error for the page ([`Lenient`]).
pub trait Load: Copy + Send + Sync + 'static {
    type Value: Send + 'static;

    /// The future of the value, taken now; `None` when a resource is already disposed.
    fn start(self) -> Option<impl Future<Output = Result<Self::Value, AppError>> + Send + 'static>;
}

impl<T> Load for Resource<Result<T, AppError>>
where
    T: Clone + Send + Sync + 'static,
{
    type Value = T;

    fn start(self) -> Option<impl Future<Output = Result<T, AppError>> + Send + 'static> {
        // A disposed resource reads as `None` here instead of panicking.
        drop(self.try_read_untracked()?);
        Some(self.into_future())
    }
}

/// A resource that may hold nothing, never an error (e.g. what the reader chose to hear).
impl<T> Load for Resource<Option<T>>
where
    T: Clone + Send + Sync + 'static,
{
    type Value = Option<T>;

    fn start(self) -> Option<impl Future<Output = Result<Option<T>, AppError>> + Send + 'static> {
        drop(self.try_read_untracked()?);
        let value = self.into_future();
        Some(async move { Ok(value.await) })
    }
}

/// A resource loaded only in the browser (e.g. a panel's settings, fetched when it opens).
impl<T> Load for LocalResource<Result<T, AppError>>
where
    T: Clone + Send + Sync + 'static,
{
    type Value = T;

    fn start(self) -> Option<impl Future<Output = Result<T, AppError>> + Send + 'static> {
        drop(self.try_read_untracked()?);
        Some(self.into_future())
    }
}

impl<A: Load, B: Load> Load for (A, B) {
    type Value = (A::Value, B::Value);

    fn start(self) -> Option<impl Future<Output = Result<Self::Value, AppError>> + Send + 'static> {
        let (a, b) = (self.0.start()?, self.1.start()?);
        Some(async move { Ok((a.await?, b.await?)) })
    }
}

/// A resource whose failure the page treats as "nothing" (e.g. the property filter when the
/// properties cannot be read): its value is `None` then, never an error.
#[derive(Clone, Copy)]
pub struct Lenient<L>(pub L);

impl<L: Load> Load for Lenient<L> {
    type Value = Option<L::Value>;

    fn start(self) -> Option<impl Future<Output = Result<Self::Value, AppError>> + Send + 'static> {
        let inner = self.0.start()?;
        Some(async move { Ok(inner.await.ok()) })
    }
}

/// The content of `load`: `children(value)` once loaded.
/// - `loading`: show "Loading…" while it first loads (otherwise nothing);
/// - `quiet`: a failure shows nothing (a section that is only there when it can be);
/// - `fallback`: what stands in its place while it first loads (e.g. a disabled select).
#[component]
pub fn Loaded<L, F, V>(
    load: L,
    children: F,
    #[prop(optional)] loading: bool,
    #[prop(optional)] quiet: bool,
    #[prop(optional, into)] fallback: Option<ViewFn>,
) -> impl IntoView
where
    L: Load,
    F: Fn(L::Value) -> V + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let i18n = use_i18n();
    let children = Arc::new(children);
    let fallback = move || match &fallback {
        Some(view) => view.run(),
        None => loading
            .then(|| view! { <p class="muted">{t!(i18n, common.loading)}</p> })
            .into_any(),
    };
    view! {
        <Transition fallback=fallback>
            {move || {
                let children = Arc::clone(&children);
                let pending = load.start();
                Suspend::new(async move {
                    let Some(pending) = pending else {
                        return ().into_any();
                    };
                    let result = pending.await;
                    // A list replaced while its resource reloaded (a site created, moved or
                    // deleted) may still hear from a resource that outlives it (the page's):
                    // its owner is cut from the page's, whose contexts it no longer finds. It
                    // shows nothing then, rather than panicking in a child's `use_i18n`.
                    if use_context::<leptos_i18n::I18nContext<Locale>>().is_none() {
                        return ().into_any();
                    }
                    match result {
                        Ok(value) => children(value).into_any(),
                        Err(_) if quiet => ().into_any(),
                        Err(e) => view! { <ErrorMessage error=Signal::stored(Some(e)) /> }.into_any(),
                    }
                })
            }}
        </Transition>
    }
}

/// A list (the async table): as [`Loaded`], with `empty` shown when the list is empty.
#[component]
pub fn LoadedList<L, R, F, V>(
    load: L,
    #[prop(into)] empty: ViewFn,
    children: F,
    #[prop(optional)] loading: bool,
    #[prop(optional)] quiet: bool,
) -> impl IntoView
where
    L: Load<Value = Vec<R>>,
    R: Send + 'static,
    F: Fn(Vec<R>) -> V + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let rows = move |rows: Vec<R>| {
        if rows.is_empty() {
            empty.run()
        } else {
            children(rows).into_any()
        }
    };
    view! { <Loaded load=load loading=loading quiet=quiet let:list>{rows(list)}</Loaded> }
}
