//! One day's figures, summed in memory from the day's usage events as they are read (once,
//! in one pass): per site and product (0: all products) the sign-ins, refused sign-ins,
//! active users and sessions opened, and per site *and ancestor* the most sessions open at
//! once. The peak is a sweep over the sessions' beginnings and ends in time order, each step
//! counted for the session's site and every ancestor: the database would sort every session
//! once per ancestor and product instead (ten times the rows), which made the roll-up many
//! times slower than reading the day.
use std::collections::{BTreeMap, HashMap};

use foldhash::HashSet;

use chrono::{DateTime, Utc};

use super::record::{APP_SESSION, SIGN_IN, SIGN_IN_FAILED};

/// What a usage event is, as the roll-up reads it (a number, not the text: a million of them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    SignIn,
    SignInFailed,
    AppSession,
}

impl Kind {
    /// The SQL that turns `kind` into [`Kind::code`]s.
    pub fn sql() -> String {
        format!(
            "CASE kind WHEN '{SIGN_IN}' THEN 1 WHEN '{SIGN_IN_FAILED}' THEN 2 \
             WHEN '{APP_SESSION}' THEN 3 ELSE 0 END"
        )
    }

    /// The columns the roll-up reads, in [`Event`]'s order without `of_the_day`: the kind as
    /// its number, user, site, product, and a session's times through `millis` (each reader
    /// turns a time column into milliseconds its own way).
    pub fn columns(millis: impl Fn(&str) -> String) -> String {
        let session = format!("kind = '{APP_SESSION}'");
        format!(
            "{}, user_id, site_id, product_id, CASE WHEN {session} THEN {} END, \
             CASE WHEN {session} THEN {} END",
            Kind::sql(),
            millis("at"),
            millis("ended_at")
        )
    }

    pub fn from_code(code: i32) -> Option<Kind> {
        match code {
            1 => Some(Kind::SignIn),
            2 => Some(Kind::SignInFailed),
            3 => Some(Kind::AppSession),
            _ => None,
        }
    }
}

/// A usage event as the roll-up reads it; times (of sessions only) in milliseconds since 1970.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Event {
    pub kind: Kind,
    /// Logged on the day (else: a session begun before it, open when it began).
    pub of_the_day: bool,
    pub user_id: Option<i32>,
    pub site_id: i32,
    pub product_id: Option<i32>,
    pub at: Option<i64>,
    pub ended_at: Option<i64>,
}

/// A row of `usage_days` (without its day and licences).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Figures {
    pub sign_ins: i32,
    pub sign_in_failures: i32,
    pub active_users: i32,
    pub app_sessions: i32,
    pub peak_sessions: i32,
}

/// A session's step: where it begins (+1) or ends (-1) within the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Step {
    at: i64,
    /// -1 sorts before +1: a session that ends when another begins was not open with it.
    step: i8,
    site_id: i32,
    product_id: Option<i32>,
}

/// The day being summed: `[start, end)` in milliseconds since 1970.
pub(crate) struct Day {
    start: i64,
    end: i64,
    counts: foldhash::HashMap<(i32, i32), Figures>,
    /// (site, product or 0, user): who was active where.
    active: HashSet<(i32, i32, i32)>,
    steps: Vec<Step>,
}

impl Day {
    pub fn new(start: DateTime<Utc>, end: DateTime<Utc>) -> Day {
        Day {
            start: start.timestamp_millis(),
            end: end.timestamp_millis(),
            counts: foldhash::HashMap::default(),
            active: HashSet::default(),
            steps: Vec::new(),
        }
    }

    /// Counts an event: one of the day's, or an application session opened earlier that was
    /// still open when the day began (it counts towards the peak only).
    pub fn add(&mut self, e: Event) {
        let session = e.kind == Kind::AppSession;
        if e.of_the_day {
            let all = self.counts.entry((e.site_id, 0)).or_default();
            match e.kind {
                Kind::SignIn => all.sign_ins += 1,
                Kind::SignInFailed => all.sign_in_failures += 1,
                Kind::AppSession => all.app_sessions += 1,
            }
            if let Some(user) = e.user_id.filter(|_| e.kind != Kind::SignInFailed) {
                self.active.insert((e.site_id, 0, user));
            }
            if let (true, Some(product)) = (session, e.product_id) {
                self.counts
                    .entry((e.site_id, product))
                    .or_default()
                    .app_sessions += 1;
                if let Some(user) = e.user_id {
                    self.active.insert((e.site_id, product, user));
                }
            }
        }
        let (Some(at), true) = (e.at, session) else {
            return;
        };
        if at < self.end && e.ended_at.is_none_or(|ended| ended > self.start) {
            self.steps.push(Step {
                at: at.max(self.start),
                step: 1,
                site_id: e.site_id,
                product_id: e.product_id,
            });
            if let Some(ended) = e.ended_at.filter(|ended| *ended < self.end) {
                self.steps.push(Step {
                    at: ended,
                    step: -1,
                    site_id: e.site_id,
                    product_id: e.product_id,
                });
            }
        }
    }

    /// The day's rows by (site, product), with `ancestors` of each site (itself included).
    pub fn figures(mut self, ancestors: &HashMap<i32, Vec<i32>>) -> BTreeMap<(i32, i32), Figures> {
        for (site, product, _) in &self.active {
            self.counts
                .entry((*site, *product))
                .or_default()
                .active_users += 1;
        }
        self.steps.sort_unstable();
        // Each (site, product or 0) a counter: [sessions open now, most open at once]; each
        // (site of a session, its product) the counters of its lineage, found once.
        let mut slot_of: foldhash::HashMap<(i32, i32), usize> = foldhash::HashMap::default();
        let mut counters: Vec<((i32, i32), i32, i32)> = Vec::new();
        let mut lineages: foldhash::HashMap<(i32, Option<i32>), Vec<usize>> =
            foldhash::HashMap::default();
        for s in &self.steps {
            let slots = lineages
                .entry((s.site_id, s.product_id))
                .or_insert_with(|| {
                    let lineage = ancestors
                        .get(&s.site_id)
                        .map_or(std::slice::from_ref(&s.site_id), Vec::as_slice);
                    let mut slots = Vec::with_capacity(lineage.len() * 2);
                    for &site in lineage {
                        for product in std::iter::once(0).chain(s.product_id) {
                            let slot = *slot_of.entry((site, product)).or_insert_with(|| {
                                counters.push(((site, product), 0, 0));
                                counters.len() - 1
                            });
                            slots.push(slot);
                        }
                    }
                    slots
                });
            for &slot in slots.iter() {
                if let Some((_, level, peak)) = counters.get_mut(slot) {
                    *level += i32::from(s.step);
                    *peak = (*peak).max(*level);
                }
            }
        }
        for (key, _, peak) in counters {
            self.counts.entry(key).or_default().peak_sessions = peak;
        }
        self.counts.into_iter().collect()
    }
}
