//! Licence checks that arrive together are read together: each check queues what it must read
//! (the caller's token when it is not cached, the user's facts, the product) and a runner takes
//! whatever is queued, up to [`MAX_BATCH`] checks, and reads it in one statement. One check
//! alone is read at once; under load, a statement serves as many checks as came in while the
//! previous one ran, so the database's fixed cost per statement (on PostgreSQL, starting the
//! plan's executor; on SQLite, the hand-off to the connection's thread) is paid once per batch
//! instead of once per check.
//!
//! Two things make the batches grow with the load rather than the statements (measured on two
//! cores against the bare handler, PostgreSQL): before it reads, a runner lets the tasks that
//! are ready take their turns for as long as they queue more checks (0.21 → 0.25: a statement
//! serves 10 checks instead of 6); and a second runner starts only when [`OVERLAP`] checks wait
//! while a statement is in flight (one runner per core, each starting at the first check, made
//! statements of 3 checks: 0.18).
//!
//! The statement is the token with its account and grants (kind `t`), the users' site ancestry
//! (`a`) and licences with the products each covers (`l`), and the products asked about (`p`),
//! as one `UNION ALL`; each row names the token or the user it belongs to.
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, LazyLock, Mutex, PoisonError};

use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, DbBackend, QueryResult, Statement, Value};
use tokio::sync::oneshot;
use uuid::Uuid;

use super::check::{facts_of, Facts};
use crate::error::{Error, Result};
use crate::identity::load::{self, TokenState};
use crate::{Db, Principal};

/// The most checks one statement reads.
const MAX_BATCH: usize = 64;

/// The most statements of one database in flight at once.
const MAX_RUNNERS: usize = 2;

/// How many checks must wait for a second statement to start while one is in flight.
const OVERLAP: usize = 4;

/// The most turns a runner lets other tasks take to queue more checks before it reads.
const GATHER_TURNS: usize = 16;

/// What one check asks to be read.
pub(super) struct Ask {
    /// The caller's token digest, when the token is not cached.
    pub digest: Option<String>,
    pub user: Uuid,
    pub product: Option<String>,
    pub today: NaiveDate,
}

/// What was read for one check: the token (when asked; `None` inside for an unknown token) and
/// the user's facts (`NotFound` for an unknown user).
pub(super) struct Read {
    pub token: Option<Result<Option<(TokenState, Principal)>>>,
    pub facts: Result<Facts>,
}

/// The queue of one database's checks.
#[derive(Default)]
pub(crate) struct Batches {
    state: Mutex<Queue>,
}

#[derive(Default)]
struct Queue {
    waiting: VecDeque<(Ask, oneshot::Sender<Read>)>,
    /// How many runners are taking batches off the queue.
    running: usize,
}

impl Batches {
    fn queue(&self) -> std::sync::MutexGuard<'_, Queue> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The error of a check whose answer never came (its runner was dropped).
pub(super) fn not_read() -> Error {
    Error::Internal("licence check not read".into())
}

/// Reads what one check asks, together with whatever else is queued.
pub(super) async fn read_one(db: &Db, ask: Ask) -> Result<Read> {
    read(db, vec![ask]).await?.pop().ok_or_else(not_read)
}

/// Reads what these checks ask, together with whatever else is queued; the answers in order.
pub(super) async fn read(db: &Db, asks: Vec<Ask>) -> Result<Vec<Read>> {
    if asks.is_empty() {
        return Ok(Vec::new());
    }
    let batches = db.batches();
    let mut answers = Vec::with_capacity(asks.len());
    let start = {
        let mut queue = batches.queue();
        for ask in asks {
            let (reply, answer) = oneshot::channel();
            queue.waiting.push_back((ask, reply));
            answers.push(answer);
        }
        let start =
            queue.running == 0 || (queue.running < MAX_RUNNERS && queue.waiting.len() >= OVERLAP);
        if start {
            queue.running += 1;
        }
        start
    };
    if start {
        tokio::spawn(run(db.clone(), batches));
    }
    let mut reads = Vec::with_capacity(answers.len());
    for answer in answers {
        reads.push(answer.await.map_err(|_| not_read())?);
    }
    Ok(reads)
}

/// Takes batches off the queue until it is empty. Spawned, so that a check whose caller went
/// away does not take the others' answers with it.
async fn run(db: Db, batches: Arc<Batches>) {
    let mut runner = Runner(Some(batches));
    loop {
        // The requests already woken run first and queue their checks: they join this batch.
        runner.gather().await;
        let Some(batch) = runner.next() else {
            break;
        };
        let (asks, replies): (Vec<Ask>, Vec<_>) = batch.into_iter().unzip();
        metrics::histogram!("licentia_licence_check_batch_size").record(asks.len() as f64);
        let reads = match db
            .conn()
            .query_all_raw(statement(db.backend(), &asks))
            .await
        {
            Ok(rows) => answers(&asks, &rows),
            Err(e) => {
                let error = Error::from(e);
                asks.iter()
                    .map(|_| Read {
                        token: None,
                        facts: Err(error.clone()),
                    })
                    .collect()
            }
        };
        for (read, reply) in reads.into_iter().zip(replies) {
            // A caller that went away no longer waits for its answer.
            let _ = reply.send(read);
        }
    }
}

/// A runner's place: given back when the queue is found empty, or if the runner is dropped
/// (the runtime shutting down).
struct Runner(Option<Arc<Batches>>);

impl Runner {
    /// Lets the tasks that are ready run before the batch is taken, for as long as they queue
    /// more checks: until the queue has not grown for two turns, it is full, or
    /// [`GATHER_TURNS`] have passed.
    async fn gather(&self) {
        let Some(batches) = self.0.as_ref() else {
            return;
        };
        let mut waiting = batches.queue().waiting.len();
        let mut still = 0;
        for _ in 0..GATHER_TURNS {
            tokio::task::yield_now().await;
            let now = batches.queue().waiting.len();
            still = if now == waiting { still + 1 } else { 0 };
            if still == 2 || now >= MAX_BATCH {
                break;
            }
            waiting = now;
        }
    }

    /// The next batch, or `None` (and the place given back) when nothing waits.
    fn next(&mut self) -> Option<Vec<(Ask, oneshot::Sender<Read>)>> {
        let batches = self.0.as_ref()?;
        let mut queue = batches.queue();
        // Another runner takes a small batch when its statement is done.
        if queue.waiting.is_empty() || (queue.running > 1 && queue.waiting.len() < OVERLAP) {
            queue.running -= 1;
            drop(queue);
            self.0 = None;
            return None;
        }
        let n = queue.waiting.len().min(MAX_BATCH);
        Some(queue.waiting.drain(..n).collect())
    }
}

impl Drop for Runner {
    fn drop(&mut self) {
        if let Some(batches) = self.0.take() {
            let mut queue = batches.queue();
            queue.running = queue.running.saturating_sub(1);
        }
    }
}

/// The rows' answers to each check.
fn answers(asks: &[Ask], rows: &[QueryResult]) -> Vec<Read> {
    let mut tokens: HashMap<String, Vec<&QueryResult>> = HashMap::new();
    let mut users: HashMap<Uuid, Vec<&QueryResult>> = HashMap::new();
    let mut products: HashSet<String> = HashSet::new();
    let mut unreadable = None;
    for row in rows {
        let sorted = (|| -> Result<()> {
            match row.try_get::<String>("", "kind")?.as_str() {
                "t" => tokens
                    .entry(row.try_get("", "token_hash")?)
                    .or_default()
                    .push(row),
                "p" => {
                    products.insert(row.try_get("", "product_key")?);
                }
                _ => users
                    .entry(row.try_get("", "public_id")?)
                    .or_default()
                    .push(row),
            }
            Ok(())
        })();
        if let Err(e) = sorted {
            unreadable = Some(e);
        }
    }
    asks.iter()
        .map(|ask| {
            if let Some(e) = &unreadable {
                return Read {
                    token: None,
                    facts: Err(e.clone()),
                };
            }
            let token = ask.digest.as_ref().map(|digest| {
                let rows = tokens.get(digest).map_or(&[][..], Vec::as_slice);
                load::token_of(rows, ask.today)
            });
            let exists = ask
                .product
                .as_ref()
                .is_some_and(|key| products.contains(key));
            let rows = users.get(&ask.user).map_or(&[][..], Vec::as_slice);
            Read {
                token,
                facts: facts_of(rows.iter().copied(), exists),
            }
        })
        .collect()
}

/// The facts' columns, typed and empty, for the token's part of the statement.
const NO_FACTS_COLUMNS: &str = ", 't' AS kind, t.token_hash AS token_hash, \
     CAST(NULL AS UUID) AS public_id, CAST(NULL AS INTEGER) AS user_id, \
     CAST(NULL AS INTEGER) AS ancestor_id, CAST(NULL AS INTEGER) AS depth, \
     CAST(NULL AS INTEGER) AS subscription_id, CAST(NULL AS INTEGER) AS bundle_id, \
     CAST(NULL AS DATE) AS valid_from, CAST(NULL AS DATE) AS valid_until, \
     CAST(NULL AS TIMESTAMPTZ) AS assigned_at, CAST(NULL AS VARCHAR) AS product_key";

/// The users asked about, read first and once: the parts below start from them, whatever the
/// planner's statistics say (on a table just filled, PostgreSQL has none yet; `CROSS JOIN`
/// keeps SQLite's join order).
const ASKED: &str = "WITH asked AS MATERIALIZED \
     (SELECT id, public_id, site_id FROM users WHERE public_id IN ({users})) ";

/// The users' parts (kinds `a` and `l`) and the products' part (`p`): each a select list and
/// its source, with `{products}` for its list of placeholders. A licence's products are its
/// bundle's, or every product for a subscription without a bundle: the `OR` is on the join
/// with the (small) catalogue alone, so that the plan still starts from the users asked about.
const USER_PARTS: [&str; 2] = [
    "'a' AS kind, CAST(NULL AS VARCHAR) AS token_hash, asked.public_id AS public_id, \
           asked.id AS user_id, c.ancestor_id AS ancestor_id, c.depth AS depth, \
           NULL AS subscription_id, NULL AS bundle_id, NULL AS valid_from, NULL AS valid_until, \
           NULL AS assigned_at, NULL AS product_key \
      FROM asked JOIN site_closure c ON c.descendant_id = asked.site_id",
    "'l', NULL, asked.public_id, asked.id, NULL, NULL, s.id, s.bundle_id, s.valid_from, \
           s.valid_until, l.assigned_at, p.key \
      FROM asked CROSS JOIN licences l \
      JOIN subscriptions s ON s.id = l.subscription_id \
      LEFT JOIN bundle_products bp ON bp.bundle_id = s.bundle_id \
      LEFT JOIN products p ON p.id = bp.product_id OR s.bundle_id IS NULL \
     WHERE l.user_id = asked.id",
];
const PRODUCT_PART: &str = "'p', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, \
     p.key FROM products p WHERE p.key IN ({products})";

/// The statement for these checks. Each list of values is padded (with its last value) to a
/// power of two, so that the database sees a few statement texts and keeps their plans.
pub(crate) fn statement(backend: DbBackend, asks: &[Ask]) -> Statement {
    let mut digests: Vec<&str> = Vec::new();
    let mut users: Vec<Uuid> = Vec::new();
    let mut products: Vec<&str> = Vec::new();
    for ask in asks {
        if let Some(digest) = &ask.digest {
            if !digests.contains(&digest.as_str()) {
                digests.push(digest);
            }
        }
        if !users.contains(&ask.user) {
            users.push(ask.user);
        }
        if let Some(product) = &ask.product {
            if !products.contains(&product.as_str()) {
                products.push(product);
            }
        }
    }
    let (digests, users, products) = (padded(digests), padded(users), padded(products));
    let mut values: Vec<Value> = users.iter().map(|u| Value::from(*u)).collect();
    values.extend(digests.iter().map(|d| Value::from(*d)));
    values.extend(products.iter().map(|p| Value::from(*p)));
    let shape = Shape {
        postgres: backend == DbBackend::Postgres,
        digests: digests.len(),
        users: users.len(),
        products: products.len(),
    };
    let sql = {
        let mut texts = TEXTS.lock().unwrap_or_else(PoisonError::into_inner);
        texts
            .entry(shape)
            .or_insert_with(|| crate::sql::statement(backend, &text(shape), Vec::new()).sql)
            .clone()
    };
    Statement::from_sql_and_values(backend, sql, values)
}

/// How many values of each kind a statement reads (each a power of two, or none), and for
/// which database: the texts are few, and made once.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct Shape {
    postgres: bool,
    digests: usize,
    users: usize,
    products: usize,
}

static TEXTS: LazyLock<Mutex<HashMap<Shape, String>>> = LazyLock::new(Mutex::default);

/// The statement's text for this shape, with `?` placeholders: the users, then the digests,
/// then the products.
fn text(shape: Shape) -> String {
    let mut parts = Vec::with_capacity(5);
    if shape.digests > 0 {
        parts.push(load::by_token_sql(
            NO_FACTS_COLUMNS,
            &format!("IN ({})", placeholders(shape.digests)),
        ));
    }
    let prefix = if shape.digests == 0 {
        String::new()
    } else {
        format!("{}, ", load::NO_TOKEN_COLUMNS)
    };
    parts.extend(
        USER_PARTS
            .iter()
            .map(|part| format!("SELECT {prefix}{part}")),
    );
    if shape.products > 0 {
        parts.push(format!(
            "SELECT {prefix}{}",
            PRODUCT_PART.replace("{products}", &placeholders(shape.products))
        ));
    }
    let asked = ASKED.replace("{users}", &placeholders(shape.users));
    format!("{asked}{}", parts.join(" UNION ALL "))
}

/// The values, padded with the last to the next power of two (none stay none).
fn padded<T: Copy>(mut values: Vec<T>) -> Vec<T> {
    if let Some(&last) = values.last() {
        values.resize(values.len().next_power_of_two(), last);
    }
    values
}

fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}
