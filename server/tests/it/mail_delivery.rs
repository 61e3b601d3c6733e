//! Mail delivery through a real SMTP server on 127.0.0.1 (scripts/mail-sink.py, aiosmtpd):
//! mail queued while the SMTP server is down is retried, survives a restart of Licentia, and
//! arrives exactly once when both are back; the link in it works.
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use domain::entities::job;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::support::process;
use process::{free_port, wait_until, Killed};

fn start_sink(port: u16, dir: &Path) -> Killed {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/mail-sink.py");
    let mut child = Command::new("/usr/bin/python3")
        .arg(script)
        .args(["--port", &port.to_string(), "--dir"])
        .arg(dir)
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 with aiosmtpd (apt-get install python3-aiosmtpd)");
    let mut line = String::new();
    let stdout = child.stdout.take().unwrap();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line).unwrap();
    assert_eq!(line.trim(), "ready", "mail sink did not start");
    Killed(child)
}

fn start_licentia(url: &str, smtp_port: u16) -> Killed {
    process::start_licentia(
        url,
        &[
            ("LICENTIA_SMTP_URL", format!("smtp://127.0.0.1:{smtp_port}")),
            ("LICENTIA_MAIL_RETRY_SECONDS", "1".into()),
        ],
    )
}

fn mails(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "eml"))
                .filter(|p| !p.file_name().unwrap().to_string_lossy().starts_with('.'))
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

/// Undoes quoted-printable (soft line breaks and =XX escapes).
fn unquote(raw: &str) -> String {
    let joined = raw.replace("=\r\n", "").replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&joined[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn header<'a>(mail: &'a str, name: &str) -> &'a str {
    mail.lines()
        .find_map(|l| l.strip_prefix(&format!("{name}: ")))
        .unwrap_or_default()
        .trim()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_deliver_queued_mail_exactly_once_after_smtp_and_licentia_restart() {
    let dir = std::env::temp_dir().join(format!("licentia-mail-{}", Uuid::new_v4()));
    let maildir = dir.join("received");
    std::fs::create_dir_all(&maildir).unwrap();
    let url = format!("sqlite://{}", dir.join("mail.db").display());
    let db = domain::Db::connect_and_migrate(&url).await.unwrap();
    domain::demo::seed(&db).await.unwrap();
    let smtp_port = free_port();

    // The SMTP server is down; three people ask for a reset.
    let people = ["directeur", "lotte.janssens", "pieter.claes"];
    for name in people {
        domain::auth::request_reset(&db, name, "nl").await.unwrap();
    }
    let jobs = || async {
        job::Entity::find()
            .filter(job::Column::Kind.eq("mail"))
            .all(db.conn())
            .await
            .unwrap()
    };
    assert_eq!(jobs().await.len(), 3);

    let licentia = start_licentia(&url, smtp_port);
    wait_until("failed attempts", Duration::from_secs(60), || async {
        jobs()
            .await
            .iter()
            .all(|j| j.attempts >= 1 && j.last_error.is_some() && j.status == "queued")
    })
    .await;
    drop(licentia);

    // Both come back: every mail arrives, once.
    let _sink = start_sink(smtp_port, &maildir);
    let licentia = start_licentia(&url, smtp_port);
    wait_until("three mails", Duration::from_secs(60), || async {
        mails(&maildir).len() >= 3
    })
    .await;
    wait_until("jobs done", Duration::from_secs(30), || async {
        jobs().await.iter().all(|j| j.status == "done")
    })
    .await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let received = mails(&maildir);
    assert_eq!(received.len(), 3, "{received:?}");
    // Done with the server: the writes below are this test's alone (two processes on one
    // SQLite file wait for each other's writes only five seconds, and a loaded machine saw
    // the server's own work outlast that).
    drop(licentia);

    let texts: Vec<String> = received
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    let ids: HashSet<&str> = texts.iter().map(|t| header(t, "Message-ID")).collect();
    assert_eq!(ids.len(), 3, "distinct message ids");
    let recipients: HashSet<&str> = texts.iter().map(|t| header(t, "X-Envelope-To")).collect();
    let expected: HashSet<String> = people
        .iter()
        .map(|p| format!("{p}@horizon.example"))
        .collect();
    assert_eq!(
        recipients,
        expected.iter().map(String::as_str).collect::<HashSet<_>>()
    );
    for text in &texts {
        assert!(text.contains("multipart/alternative"));
        assert!(text.contains("text/plain") && text.contains("text/html"));
    }

    // The secret left the database once sent; the link in the mail sets the password.
    for j in jobs().await {
        assert!(!j.payload.contains("token\":\"") || j.payload.contains("token\":\"\""));
    }
    let directeur = texts
        .iter()
        .find(|t| header(t, "X-Envelope-To") == "directeur@horizon.example")
        .unwrap();
    let body = unquote(directeur);
    assert!(body.contains("Stel je wachtwoord opnieuw in"), "{body}");
    let token: String = body
        .split("http://licentia.test/password/set?token=")
        .nth(1)
        .unwrap()
        .chars()
        .take_while(|c| c.is_ascii_hexdigit())
        .collect();
    assert_eq!(token.len(), 64);
    domain::auth::set_password_with_token(&db, &token, "Uit-de-mail-1", "Uit-de-mail-1")
        .await
        .unwrap();
    domain::auth::sign_in(&db, "directeur", "Uit-de-mail-1", None)
        .await
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}
