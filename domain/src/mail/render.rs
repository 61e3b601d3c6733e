//! The layout that turns a [`Mail`] into a subject, a plain-text body and an HTML body, in
//! the mail's language (its words from [`crate::texts`]).
use super::{Mail, Template};
use crate::texts::{error_message, fill, texts_of};

#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// What a template says, before layout.
struct Content {
    name: Option<String>,
    params: Vec<(&'static str, String)>,
    facts: Vec<(&'static str, String)>,
    /// Lines listed after the facts (an import's problems).
    list: Vec<String>,
    link: Option<String>,
}

fn content(
    template: &Template,
    locale: &str,
    base_url: &str,
    t: &dyn Fn(&str) -> String,
) -> Content {
    let base = base_url.trim_end_matches('/');
    let with_token = |path: &str, token: &str| format!("{base}{path}?token={token}");
    match template {
        Template::VerifyEmail { name, token } => Content {
            name: Some(name.clone()),
            params: vec![],
            facts: vec![],
            list: vec![],
            link: Some(with_token("/verify", token)),
        },
        Template::SubscriptionCreated {
            serial,
            seats,
            valid_from,
            valid_until,
        } => Content {
            name: None,
            params: vec![
                ("serial", serial.clone()),
                ("from", valid_from.clone()),
                ("until", valid_until.clone()),
            ],
            facts: vec![
                ("subscription_created.serial", serial.clone()),
                ("subscription_created.seats", seats.to_string()),
                (
                    "subscription_created.valid",
                    fill(
                        &t("subscription_created.period"),
                        &[("from", valid_from.clone()), ("until", valid_until.clone())],
                    ),
                ),
            ],
            list: vec![],
            link: Some(format!("{base}/signup?serial={serial}")),
        },
        Template::Invitation {
            name,
            inviter,
            site,
            username,
            token,
        } => Content {
            name: Some(name.clone()),
            params: vec![
                ("inviter", inviter.clone()),
                ("site", site.clone()),
                ("username", username.clone()),
            ],
            facts: vec![],
            list: vec![],
            link: Some(with_token("/password/set", token)),
        },
        Template::PasswordReset {
            name,
            username,
            token,
        } => Content {
            name: Some(name.clone()),
            params: vec![("username", username.clone())],
            facts: vec![],
            list: vec![],
            link: Some(with_token("/password/set", token)),
        },
        Template::RegistrationApproved {
            name,
            site,
            username,
        } => Content {
            name: Some(name.clone()),
            params: vec![("site", site.clone()), ("username", username.clone())],
            facts: vec![],
            list: vec![],
            link: Some(format!("{base}/login")),
        },
        Template::RegistrationRejected { name, site } => Content {
            name: Some(name.clone()),
            params: vec![("site", site.clone())],
            facts: vec![],
            list: vec![],
            link: None,
        },
        Template::ImportReport {
            name,
            file_name,
            site,
            status,
            added,
            updated,
            deleted,
            errors,
            run,
            problems,
        } => Content {
            name: Some(name.clone()),
            params: vec![
                ("file", file_name.clone()),
                ("site", site.clone()),
                ("status", t(&format!("import_report.status_{status}"))),
            ],
            facts: vec![
                ("import_report.added", added.to_string()),
                ("import_report.updated", updated.to_string()),
                ("import_report.deleted", deleted.to_string()),
                ("import_report.errors", errors.to_string()),
            ],
            list: problems
                .iter()
                .map(|p| problem_line(locale, p, t))
                .collect(),
            link: Some(format!("{base}/admin/import/{run}")),
        },
        Template::PurchaseRequest(p) => purchase(p, Some(format!("{base}/operator"))),
        Template::PurchaseRequestCopy(p) => purchase(p, Some(format!("{base}/"))),
        Template::Announcement {
            name,
            notice,
            title,
            body,
            starts_at,
            ends_at,
        } => Content {
            name: Some(name.clone()),
            params: vec![
                ("kind", t(&format!("announcement.kind_{notice}"))),
                ("title", title.clone()),
                ("body", body.clone()),
            ],
            facts: vec![
                ("announcement.from", format!("{starts_at} UTC")),
                ("announcement.until", format!("{ends_at} UTC")),
            ],
            list: vec![],
            link: Some(format!("{base}/profile")),
        },
        Template::WebhookDisabled {
            name,
            url,
            failing_since,
        } => Content {
            name: Some(name.clone()),
            params: vec![("url", url.clone())],
            facts: vec![
                ("webhook_disabled.url", url.clone()),
                ("webhook_disabled.failing_since", failing_since.clone()),
            ],
            list: vec![],
            link: Some(format!("{base}/admin/webhooks")),
        },
        Template::RenewalsDigest {
            name,
            days,
            ending,
            renewed,
            upcoming,
            lapsed,
            lines,
            more,
        } => {
            let mut list: Vec<String> = lines.iter().map(|l| digest_line(locale, l, t)).collect();
            if *more > 0 {
                list.push(fill(
                    &t("renewals_digest.more"),
                    &[("count", more.to_string())],
                ));
            }
            Content {
                name: Some(name.clone()),
                params: vec![("days", days.to_string())],
                facts: vec![
                    ("renewals_digest.ending", ending.to_string()),
                    ("renewals_digest.lapsed", lapsed.to_string()),
                    ("renewals_digest.renewed", renewed.to_string()),
                    ("renewals_digest.upcoming", upcoming.to_string()),
                ],
                list,
                link: Some(format!("{base}/operator/renewals?within={days}")),
            }
        }
    }
}

/// "De Klimop (123456): ends on 31/12/2026, 34 of 50 licences assigned" in the mail's language.
fn digest_line(locale: &str, line: &super::DigestLine, t: &dyn Fn(&str) -> String) -> String {
    let date = crate::texts::short_date(locale, line.valid_until);
    let params = [
        ("customer", line.customer.clone()),
        ("serial", line.serial.clone()),
        ("date", date),
        ("assigned", line.assigned.to_string()),
        ("seats", line.seats.to_string()),
    ];
    let key = if line.lapsed {
        "renewals_digest.line_lapsed"
    } else {
        "renewals_digest.line_ending"
    };
    fill(&t(key), &params)
}

/// The facts of a purchase request (the same for the operators and the requester's copy).
fn purchase(p: &super::Purchase, link: Option<String>) -> Content {
    let mut facts = vec![
        ("purchase.organisation", p.organisation.clone()),
        ("purchase.requester", p.requester.clone()),
        ("purchase.quantity", p.quantity.to_string()),
        ("purchase.activation_on", p.activation_on.clone()),
        ("purchase.email", p.email.clone()),
    ];
    if !p.phone.is_empty() {
        facts.push(("purchase.phone", p.phone.clone()));
    }
    if !p.comment.is_empty() {
        facts.push(("purchase.comment", p.comment.clone()));
    }
    Content {
        name: None,
        params: vec![
            ("organisation", p.organisation.clone()),
            ("quantity", p.quantity.to_string()),
        ],
        facts,
        list: vec![],
        link,
    }
}

/// "Row 4, E-mail: This e-mail address is not valid." in the mail's language.
fn problem_line(locale: &str, problem: &super::RowProblem, t: &dyn Fn(&str) -> String) -> String {
    let mut line = fill(&t("import_report.row"), &[("row", problem.row.to_string())]);
    if let Some(column) = &problem.column {
        line.push_str(&format!(", {}", t(&format!("column.{column}"))));
    }
    let message = error_message(locale, &problem.code, &problem.details);
    format!("{line}: {message}")
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Renders a mail in its language; links point at `base_url`.
pub fn render(mail: &Mail, base_url: &str) -> Rendered {
    let texts = texts_of(&mail.locale);
    let t = |key: &str| {
        texts
            .get(key)
            .map(String::as_str)
            .unwrap_or(key)
            .to_string()
    };
    let key = mail.template.key();
    let content = content(&mail.template, &mail.locale, base_url, &t);
    let mut params = content.params.clone();
    let greeting = match &content.name {
        Some(name) => {
            params.push(("name", name.clone()));
            fill(&t("greeting"), &params)
        }
        None => t("greeting_anonymous"),
    };
    let subject = fill(&t(&format!("{key}.subject")), &params);
    let intro = fill(&t(&format!("{key}.intro")), &params);
    let facts: Vec<(String, String)> = content
        .facts
        .iter()
        .map(|(label, value)| (t(label), value.clone()))
        .collect();
    let action = content
        .link
        .as_ref()
        .map(|link| (t(&format!("{key}.action")), link.clone()));

    let mut text = format!("{greeting}\n\n{intro}\n");
    for (label, value) in &facts {
        text.push_str(&format!("\n{label}: {value}"));
    }
    if !facts.is_empty() {
        text.push('\n');
    }
    for line in &content.list {
        text.push_str(&format!("\n- {line}"));
    }
    if !content.list.is_empty() {
        text.push('\n');
    }
    if let Some((label, link)) = &action {
        text.push_str(&format!("\n{label}:\n{link}\n"));
    }
    text.push_str(&format!(
        "\n{}\n{}\n\n-- \n{}\n",
        t("closing"),
        t("signature"),
        t("footer")
    ));

    let mut html = format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>{subject}</title></head>\
         <body style=\"font-family:Arial,Helvetica,sans-serif;color:#1f2933;line-height:1.5;max-width:560px;margin:0 auto;padding:24px\">\
         <p>{greeting}</p><p>{intro}</p>",
        lang = escape(&mail.locale),
        subject = escape(&subject),
        greeting = escape(&greeting),
        intro = escape(&intro),
    );
    if !facts.is_empty() {
        html.push_str("<table style=\"border-collapse:collapse;margin:16px 0\">");
        for (label, value) in &facts {
            html.push_str(&format!(
                "<tr><th style=\"text-align:left;padding:4px 16px 4px 0\">{}</th><td style=\"padding:4px 0\">{}</td></tr>",
                escape(label),
                escape(value)
            ));
        }
        html.push_str("</table>");
    }
    if !content.list.is_empty() {
        html.push_str("<ul style=\"padding-left:20px\">");
        for line in &content.list {
            html.push_str(&format!("<li>{}</li>", escape(line)));
        }
        html.push_str("</ul>");
    }
    if let Some((label, link)) = &action {
        html.push_str(&format!(
            "<p style=\"margin:24px 0\"><a href=\"{link}\" style=\"background:#1d4ed8;color:#ffffff;padding:10px 18px;border-radius:6px;text-decoration:none;display:inline-block\">{label}</a></p>\
             <p style=\"font-size:13px;color:#52606d\">{hint}<br><a href=\"{link}\" style=\"color:#1d4ed8\">{link}</a></p>",
            link = escape(link),
            label = escape(label),
            hint = escape(&t("link_hint")),
        ));
    }
    html.push_str(&format!(
        "<p>{}<br>{}</p><hr style=\"border:none;border-top:1px solid #d9e2ec\"><p style=\"font-size:12px;color:#52606d\">{}</p></body></html>",
        escape(&t("closing")),
        escape(&t("signature")),
        escape(&t("footer"))
    ));
    Rendered {
        subject,
        text,
        html,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::texts::LANGUAGES;

    fn samples() -> Vec<Template> {
        let s = |v: &str| v.to_string();
        vec![
            Template::VerifyEmail {
                name: s("An"),
                token: s("t0k"),
            },
            Template::SubscriptionCreated {
                serial: s("12345678"),
                seats: 20,
                valid_from: s("2026-09-01"),
                valid_until: s("2027-08-31"),
            },
            Template::Invitation {
                name: s("An"),
                inviter: s("Els"),
                site: s("De Klimop"),
                username: s("an"),
                token: s("t0k"),
            },
            Template::PasswordReset {
                name: s("An"),
                username: s("an"),
                token: s("t0k"),
            },
            Template::RegistrationApproved {
                name: s("An"),
                site: s("De Klimop"),
                username: s("an"),
            },
            Template::RegistrationRejected {
                name: s("An"),
                site: s("De Klimop"),
            },
            Template::PurchaseRequest(super::super::Purchase {
                requester: s("Ann Peeters"),
                organisation: s("Scholengroep Horizon"),
                quantity: 25,
                activation_on: s("2027-09-01"),
                email: s("ann@horizon.example"),
                phone: s("+32 2 123 45 67"),
                comment: s("For the new class"),
            }),
            Template::Announcement {
                name: s("An"),
                notice: s("maintenance"),
                title: s("Maintenance on Saturday"),
                body: s("Licentia is unavailable from 8:00 to 10:00."),
                starts_at: s("2026-12-05 08:00"),
                ends_at: s("2026-12-05 10:00"),
            },
            Template::PurchaseRequestCopy(super::super::Purchase {
                requester: s("Ann Peeters"),
                organisation: s("Scholengroep Horizon"),
                quantity: 25,
                activation_on: s("2027-09-01"),
                email: s("ann@horizon.example"),
                phone: String::new(),
                comment: String::new(),
            }),
            Template::ImportReport {
                name: s("Els"),
                file_name: s("leerlingen.xlsx"),
                site: s("De Klimop"),
                status: s("done"),
                added: 3,
                updated: 1,
                deleted: 0,
                errors: 1,
                run: s("0b6f"),
                problems: vec![super::super::RowProblem {
                    row: 4,
                    column: Some(s("email")),
                    code: s("email_invalid"),
                    details: vec![],
                }],
            },
            Template::WebhookDisabled {
                name: s("Els"),
                url: s("https://hooks.example/licentia"),
                failing_since: s("2026-12-01 08:00"),
            },
            Template::RenewalsDigest {
                name: s("Olga"),
                days: 30,
                ending: 1,
                renewed: 2,
                upcoming: 0,
                lapsed: 1,
                lines: vec![
                    super::super::DigestLine {
                        customer: s("De Klimop"),
                        serial: s("12345678"),
                        valid_until: chrono::NaiveDate::from_ymd_opt(2027, 4, 4)
                            .unwrap_or_default(),
                        assigned: 80,
                        seats: 100,
                        lapsed: false,
                    },
                    super::super::DigestLine {
                        customer: s("Horizon"),
                        serial: s("87654321"),
                        valid_until: chrono::NaiveDate::from_ymd_opt(2027, 3, 12)
                            .unwrap_or_default(),
                        assigned: 50,
                        seats: 50,
                        lapsed: true,
                    },
                ],
                more: 3,
            },
        ]
    }

    #[test]
    fn should_render_every_template_in_every_language_without_placeholders() {
        for lang in LANGUAGES {
            for template in samples() {
                let mail = Mail {
                    to: "an@example.org".into(),
                    locale: lang.into(),
                    template,
                };
                let out = render(&mail, "http://127.0.0.1:3000/");
                for part in [&out.subject, &out.text, &out.html] {
                    assert!(
                        !part.contains('{'),
                        "{lang} {}: {part}",
                        mail.template.key()
                    );
                    assert!(
                        !part.contains(mail.template.key()),
                        "untranslated key in {part}"
                    );
                }
            }
        }
    }

    #[test]
    fn should_put_the_link_in_both_bodies_and_escape_html() {
        let mail = Mail {
            to: "an@example.org".into(),
            locale: "fr".into(),
            template: Template::Invitation {
                name: "<b>An</b>".into(),
                inviter: "Els".into(),
                site: "A & B".into(),
                username: "an".into(),
                token: "abc".into(),
            },
        };
        let out = render(&mail, "https://licentia.example/");
        let link = "https://licentia.example/password/set?token=abc";
        assert!(out.text.contains(link) && out.html.contains(link));
        assert!(out.html.contains("&lt;b&gt;An&lt;/b&gt;") && out.html.contains("A &amp; B"));
        assert_eq!(out.subject, "Vous êtes invité à Licentia");
    }

    #[test]
    fn should_drop_the_token_when_redacted() {
        let mail = Mail {
            to: "an@example.org".into(),
            locale: "nl".into(),
            template: Template::PasswordReset {
                name: "An".into(),
                username: "an".into(),
                token: "secret".into(),
            },
        };
        assert!(!serde_json::to_string(&mail.redacted())
            .unwrap_or_default()
            .contains("secret"));
    }
}
