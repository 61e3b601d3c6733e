//! The interface's icons, in one place: SVG paths drawn in the text's colour, hidden from
//! screen readers (the button around an icon carries the label). Each page holds every path
//! once ([`IconSprite`], in the application's frame) and an icon refers to its symbol: a page
//! of 25 users draws 125 icons, which as inline paths weighed 30 KB of its HTML.
use leptos::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Icon {
    /// Edit (roles).
    Pencil,
    /// Properties.
    Tag,
    /// Linked sign-ins.
    Link,
    /// Application sessions.
    Screen,
    /// Delete.
    Bin,
    /// Announcements.
    Bell,
    /// Remove, close.
    Close,
}

impl Icon {
    const ALL: [Icon; 7] = [
        Icon::Pencil,
        Icon::Tag,
        Icon::Link,
        Icon::Screen,
        Icon::Bin,
        Icon::Bell,
        Icon::Close,
    ];

    /// The id of the icon's symbol in the page.
    fn id(self) -> &'static str {
        match self {
            Icon::Pencil => "icon-pencil",
            Icon::Tag => "icon-tag",
            Icon::Link => "icon-link",
            Icon::Screen => "icon-screen",
            Icon::Bin => "icon-bin",
            Icon::Bell => "icon-bell",
            Icon::Close => "icon-close",
        }
    }

    fn path(self) -> &'static str {
        match self {
            Icon::Pencil => "M3 17.25V21h3.75L17.8 9.94l-3.75-3.75L3 17.25zm17.7-10.2a1 1 0 0 0 0-1.42l-2.33-2.33a1 1 0 0 0-1.42 0l-1.83 1.83 3.75 3.75 1.83-1.83z",
            Icon::Tag => "M3 5a2 2 0 0 1 2-2h6.6a2 2 0 0 1 1.4.6l8.4 8.4a2 2 0 0 1 0 2.8l-6.6 6.6a2 2 0 0 1-2.8 0L3.6 13A2 2 0 0 1 3 11.6V5zm4.5 4a1.5 1.5 0 1 0 0-3 1.5 1.5 0 0 0 0 3z",
            Icon::Link => "M10.6 13.4a1 1 0 0 1 0-1.4l3.4-3.4a1 1 0 1 1 1.4 1.4L12 13.4a1 1 0 0 1-1.4 0zm-2.8 5.3a4 4 0 0 1-5.7-5.7l2.8-2.8a1 1 0 1 1 1.4 1.4l-2.8 2.8a2 2 0 0 0 2.9 2.9l2.8-2.8a1 1 0 1 1 1.4 1.4l-2.8 2.8zm9.9-6.3a1 1 0 0 1-1.4-1.4l2.8-2.8a2 2 0 0 0-2.9-2.9l-2.8 2.8a1 1 0 1 1-1.4-1.4l2.8-2.8a4 4 0 0 1 5.7 5.7l-2.8 2.8z",
            Icon::Screen => "M4 4h16a2 2 0 0 1 2 2v9a2 2 0 0 1-2 2h-6v2h3v2H7v-2h3v-2H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2zm0 2v9h16V6H4z",
            Icon::Bin => "M9 3h6l1 2h4v2H4V5h4l1-2zm-3 6h12l-1 12H7L6 9zm4 2v8h2v-8h-2zm4 0v8h2v-8h-2z",
            Icon::Bell => "M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22zm7-6V11a7 7 0 0 0-5.5-6.84V3a1.5 1.5 0 0 0-3 0v1.16A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2z",
            Icon::Close => "M6.4 5 5 6.4 10.6 12 5 17.6 6.4 19l5.6-5.6 5.6 5.6 1.4-1.4-5.6-5.6L19 6.4 17.6 5 12 10.6z",
        }
    }
}

/// An icon `size` pixels square (18 by default).
#[component]
pub fn IconSvg(icon: Icon, #[prop(default = 18)] size: u32) -> impl IntoView {
    let symbol = format!("<use href=\"#{}\"></use>", icon.id());
    view! {
        <svg viewBox="0 0 24 24" width=size height=size aria-hidden="true" focusable="false" inner_html=symbol></svg>
    }
}

/// Every icon's path once, as the symbols icons refer to; drawn nowhere itself.
#[component]
pub fn IconSprite() -> impl IntoView {
    let symbols: String = Icon::ALL
        .iter()
        .map(|icon| {
            format!(
                "<symbol id=\"{}\" viewBox=\"0 0 24 24\"><path fill=\"currentColor\" d=\"{}\"></path></symbol>",
                icon.id(),
                icon.path()
            )
        })
        .collect();
    view! { <svg class="icon-sprite" aria-hidden="true" focusable="false" inner_html=symbols></svg> }
}
