//! The one pager under a paged table: previous, the first, last and neighbouring page numbers
//! (gaps as "…"), next. Pages are links (`href(n)`, `n` from 0), so they work before the wasm
//! has loaded and keep the page in the address.
use leptos::prelude::*;

use crate::i18n::*;

#[component]
pub fn Pager<H>(current: u64, pages: u64, href: H) -> impl IntoView
where
    H: Fn(u64) -> String + Copy + Send + Sync + 'static,
{
    let i18n = use_i18n();
    view! {
        <nav class="pager" aria-label=move || td_string!(i18n.get_locale(), admin.pagination)>
            {(current > 0).then(|| view! {
                <a class="button" rel="prev" href=move || href(current - 1)>"‹ " {t!(i18n, admin.previous)}</a>
            })}
            {page_numbers(current, pages).into_iter().map(|n| match n {
                Some(n) => {
                    let is_current = n == current;
                    view! {
                        <a class="page-number" class:current=is_current
                            aria-current=is_current.then_some("page") href=move || href(n)>
                            {n + 1}
                        </a>
                    }.into_any()
                }
                None => view! { <span class="page-gap" aria-hidden="true">"…"</span> }.into_any(),
            }).collect_view()}
            {(current + 1 < pages).then(|| view! {
                <a class="button" rel="next" href=move || href(current + 1)>{t!(i18n, admin.next)} " ›"</a>
            })}
        </nav>
    }
}

/// Page numbers to show: first, last and the neighbours of the current one, with gaps.
fn page_numbers(current: u64, pages: u64) -> Vec<Option<u64>> {
    let mut shown: Vec<u64> = (0..pages)
        .filter(|&n| n == 0 || n + 1 == pages || n.abs_diff(current) <= 1)
        .collect();
    shown.dedup();
    let mut out = Vec::new();
    let mut last: Option<u64> = None;
    for n in shown {
        if let Some(prev) = last {
            if n > prev + 1 {
                out.push(None);
            }
        }
        out.push(Some(n));
        last = Some(n);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::page_numbers;

    #[test]
    fn should_show_first_last_and_neighbours() {
        assert_eq!(page_numbers(0, 1), vec![Some(0)]);
        assert_eq!(
            page_numbers(5, 10),
            vec![Some(0), None, Some(4), Some(5), Some(6), None, Some(9)]
        );
    }
}
