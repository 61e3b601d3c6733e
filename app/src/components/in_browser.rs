//! A value only the browser loads, after the page is hydrated: whether it can make passkeys,
//! a count asked after the page, what a search finds as the user types.
//!
//! A `LocalResource` read while a Suspense renders on the server tells that Suspense "this
//! part is the browser's"; the server then races the content against that notice and streams
//! whichever wins (the content, or the fallback marked as the browser's). When the content won,
//! the browser found the resource still loading while hydrating, hydrated the fallback over
//! the content and stopped with a hydration error: the page was dead (the profile, on a busy
//! machine). This value tells no Suspense anything: `None` on the server and while hydrating,
//! so both render the same; then loaded by an effect (which runs in the browser only), and
//! again whenever what `source` reads changes.
use std::future::Future;

use leptos::prelude::*;
use leptos::task::spawn_local;

/// `fetch(source())` loaded in the browser; `None` until it answers. Of several loads under
/// way (the source changed meanwhile), only the newest one's answer is kept.
pub fn in_browser<S, T, Fut>(
    source: impl Fn() -> S + 'static,
    fetch: impl Fn(S) -> Fut + 'static,
) -> Signal<Option<T>>
where
    S: 'static,
    T: Clone + Send + Sync + 'static,
    Fut: Future<Output = T> + 'static,
{
    let value = RwSignal::new(None::<T>);
    let newest = StoredValue::new(0u64);
    Effect::new(move |_| {
        let pending = fetch(source());
        let round = newest.get_value().wrapping_add(1);
        newest.set_value(round);
        spawn_local(async move {
            let answer = pending.await;
            // A page left meanwhile disposed both: the answer is dropped.
            if newest.try_get_value() == Some(round) {
                value.try_set(Some(answer));
            }
        });
    });
    value.into()
}
