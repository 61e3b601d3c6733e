//! The pages as routes. With `cargo leptos build --split` each lazily loaded page's code is its
//! own wasm file, fetched when the page is first shown (the first page of a visit waits for its
//! file before hydrating; the page marks itself hydrated when it is). The administrator page
//! stays in the main file: it uses most of the shared code, and one file compresses far better
//! than the three hundred small ones the split made of it (852 KB with brotli against the
//! whole app's 830 before).
use leptos::prelude::*;
use leptos_router::{lazy_route, LazyRoute};

use crate::pages;

/// A lazily loaded route showing a page component that takes no properties.
macro_rules! lazy_page {
    ($route:ident, $page:path) => {
        pub struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            fn view(_this: Self) -> AnyView {
                crate::mark_hydrated();
                $page().into_any()
            }
        }
    };
}

lazy_page!(Home, pages::home::HomePage);
lazy_page!(Login, pages::login::LoginPage);
lazy_page!(LoginFactor, pages::login_factor::LoginFactorPage);
lazy_page!(LoginSetup, pages::login_setup::LoginSetupPage);
lazy_page!(Developers, pages::developers::DevelopersPage);
lazy_page!(Roles, pages::roles::RolesPage);
lazy_page!(Import, pages::import::ImportPage);
lazy_page!(ImportRun, pages::import::ImportRunPage);
lazy_page!(Rollover, pages::rollover::RolloverPage);
lazy_page!(Journal, pages::journal::JournalPage);
lazy_page!(Tokens, pages::tokens::TokensPage);
lazy_page!(Webhooks, pages::webhooks::WebhooksPage);
lazy_page!(Groups, pages::groups::GroupsPage);
lazy_page!(Properties, pages::groups::properties::PropertiesPageView);
lazy_page!(Customers, pages::operator::customers::CustomersPage);
lazy_page!(Customer, pages::operator::customer::CustomerPage);
lazy_page!(Renewals, pages::operator::renewals::RenewalsPage);
lazy_page!(Insights, pages::operator::insights::InsightsPage);
lazy_page!(AdminUsage, pages::usage::AdminUsagePage);
lazy_page!(OperatorSubscriptions, pages::operator::SubscriptionsPage);
lazy_page!(Catalogue, pages::operator::CataloguePage);
lazy_page!(OperatorAnnouncements, pages::operator::AnnouncementsPage);
lazy_page!(Inbox, pages::operator::InboxPage);
lazy_page!(Outbox, pages::operator::OutboxPage);
lazy_page!(Profile, pages::profile::ProfilePage);
lazy_page!(SignUp, pages::onboarding::signup::SignUpPage);
lazy_page!(Register, pages::onboarding::register::RegisterPage);
lazy_page!(Verify, pages::onboarding::verify::VerifyPage);
lazy_page!(Privacy, pages::onboarding::privacy::PrivacyPage);
lazy_page!(
    ForgotPassword,
    pages::onboarding::password::ForgotPasswordPage
);
lazy_page!(SetPassword, pages::onboarding::password::SetPasswordPage);
lazy_page!(
    ChangePassword,
    pages::onboarding::password::ChangePasswordPage
);

/// The administrator page, in the main wasm file.
pub fn admin() -> impl IntoView {
    crate::mark_hydrated();
    pages::admin::AdminPage()
}
