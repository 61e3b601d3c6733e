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
    /// its number, user, site, product, and a session's times through `time` (each reader
    /// reads a time its own way: SQLite as milliseconds, PostgreSQL's binary copy as its own).
    pub fn columns(time: impl Fn(&str) -> String) -> String {
        let session = format!("kind = '{APP_SESSION}'");
        format!(
            "{}, user_id, site_id, product_id, CASE WHEN {session} THEN {} END, \
             CASE WHEN {session} THEN {} END",
            Kind::sql(),
            time("at"),
            time("ended_at")
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
    /// The counters the step moves (see [`Day::lineage`]). Steps at the same time and of the
    /// same sign may come in any order: all ends before all beginnings, the most open at that
    /// time is the same.
    lineage: u32,
}

/// Milliseconds in a minute: the steps are kept a minute to a list, so that the sweep sorts a
/// minute at a time (a day of steps sorted at once took most of the summing).
const MINUTE: i64 = 60_000;

/// The day being summed: `[start, end)` in milliseconds since 1970. As much as can be is done
/// as each event is read (PostgreSQL is still sending the next ones meanwhile): the counts,
/// who was active, and which counters a session's steps move.
pub(crate) struct Day {
    start: i64,
    end: i64,
    /// Each site's ancestors, itself first.
    ancestors: HashMap<i32, Vec<i32>>,
    counts: foldhash::HashMap<(i32, i32), Figures>,
    /// (site, product or 0, user): who was active where (counted as first seen).
    active: HashSet<(i32, i32, i32)>,
    /// The steps of each minute of the day.
    minutes: Vec<Vec<Step>>,
    /// Each (site, product or 0) with a session: [sessions open now, most open at once].
    counters: Vec<((i32, i32), i32, i32)>,
    counter_of: foldhash::HashMap<(i32, i32), usize>,
    /// Each (site of a session, its product): the counters of the site and its ancestors, for
    /// all products and for the session's.
    lineages: Vec<Vec<usize>>,
    lineage_of: foldhash::HashMap<(i32, Option<i32>), u32>,
}

impl Day {
    /// An empty day, with `ancestors` of each site (itself included).
    pub fn new(start: DateTime<Utc>, end: DateTime<Utc>, ancestors: HashMap<i32, Vec<i32>>) -> Day {
        let (start, end) = (start.timestamp_millis(), end.timestamp_millis());
        let minutes = usize::try_from((end - start + MINUTE - 1) / MINUTE).unwrap_or(0);
        Day {
            start,
            end,
            ancestors,
            counts: foldhash::HashMap::default(),
            active: HashSet::default(),
            minutes: vec![Vec::new(); minutes.max(1)],
            counters: Vec::new(),
            counter_of: foldhash::HashMap::default(),
            lineages: Vec::new(),
            lineage_of: foldhash::HashMap::default(),
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
            let user = e.user_id.filter(|_| e.kind != Kind::SignInFailed);
            if let Some(user) = user {
                if self.active.insert((e.site_id, 0, user)) {
                    all.active_users += 1;
                }
            }
            if let (true, Some(product)) = (session, e.product_id) {
                let of_product = self.counts.entry((e.site_id, product)).or_default();
                of_product.app_sessions += 1;
                if let Some(user) = e.user_id {
                    if self.active.insert((e.site_id, product, user)) {
                        of_product.active_users += 1;
                    }
                }
            }
        }
        let (Some(at), true) = (e.at, session) else {
            return;
        };
        if at < self.end && e.ended_at.is_none_or(|ended| ended > self.start) {
            let lineage = self.lineage(e.site_id, e.product_id);
            self.step(at.max(self.start), 1, lineage);
            if let Some(ended) = e.ended_at.filter(|ended| *ended < self.end) {
                self.step(ended, -1, lineage);
            }
        }
    }

    fn step(&mut self, at: i64, step: i8, lineage: u32) {
        let minute = usize::try_from((at - self.start) / MINUTE).unwrap_or(0);
        let last = self.minutes.len() - 1;
        if let Some(steps) = self.minutes.get_mut(minute.min(last)) {
            steps.push(Step { at, step, lineage });
        }
    }

    /// The lineage of a session's (site, product): found once, then by its number.
    fn lineage(&mut self, site_id: i32, product_id: Option<i32>) -> u32 {
        if let Some(lineage) = self.lineage_of.get(&(site_id, product_id)) {
            return *lineage;
        }
        let sites = self
            .ancestors
            .get(&site_id)
            .map_or(std::slice::from_ref(&site_id), Vec::as_slice);
        let mut slots = Vec::with_capacity(sites.len() * 2);
        for &site in sites {
            for product in std::iter::once(0).chain(product_id) {
                let slot = *self.counter_of.entry((site, product)).or_insert_with(|| {
                    self.counters.push(((site, product), 0, 0));
                    self.counters.len() - 1
                });
                slots.push(slot);
            }
        }
        let lineage = u32::try_from(self.lineages.len()).unwrap_or(u32::MAX);
        self.lineages.push(slots);
        self.lineage_of.insert((site_id, product_id), lineage);
        lineage
    }

    /// The day's rows by (site, product): the counts, and the peaks by a sweep over the
    /// sessions' steps in time order, a minute at a time.
    pub fn figures(mut self) -> BTreeMap<(i32, i32), Figures> {
        for steps in &mut self.minutes {
            steps.sort_unstable();
            for s in steps.iter() {
                let Some(slots) = self.lineages.get(s.lineage as usize) else {
                    continue;
                };
                for &slot in slots {
                    if let Some((_, level, peak)) = self.counters.get_mut(slot) {
                        *level += i32::from(s.step);
                        *peak = (*peak).max(*level);
                    }
                }
            }
        }
        for (key, _, peak) in self.counters {
            self.counts.entry(key).or_default().peak_sessions = peak;
        }
        self.counts.into_iter().collect()
    }
}
