//! The durable job table: one claim per job even when workers race, back-off after a failure,
//! failed after the last attempt, a dead worker's job taken over when its lease has passed.
use std::time::Duration;

use domain::entities::job;
use domain::jobs::{self, RetryPolicy};
use domain::Db;
use sea_orm::EntityTrait;

use crate::db_test;

async fn queue(db: &Db, n: usize) {
    let txn = db.write().await.unwrap();
    for i in 0..n {
        jobs::enqueue(&*txn, "test", &serde_json::json!({ "n": i }))
            .await
            .unwrap();
    }
    txn.commit().await.unwrap();
}

db_test!(
    should_hand_each_job_to_exactly_one_of_racing_workers,
    |db: Db| async move {
        queue(&db, 20).await;
        let lease = Duration::from_secs(60);
        let workers: Vec<_> = (0..8)
            .map(|_| {
                let db = db.clone();
                tokio::spawn(async move {
                    let mut mine = Vec::new();
                    while let Some(job) = jobs::claim(&db, "test", lease).await.unwrap() {
                        mine.push(job.id);
                        jobs::complete(&db, job.id, None).await.unwrap();
                    }
                    mine
                })
            })
            .collect();
        let mut all = Vec::new();
        for worker in workers {
            all.extend(worker.await.unwrap());
        }
        all.sort();
        let before = all.len();
        all.dedup();
        assert_eq!((before, all.len()), (20, 20), "every job once");
        let done = job::Entity::find().all(db.conn()).await.unwrap();
        assert!(done
            .iter()
            .all(|j| j.status == jobs::DONE && j.attempts == 1));
    }
);

db_test!(
    should_hand_racing_batch_claims_different_jobs,
    |db: Db| async move {
        queue(&db, 200).await;
        let lease = Duration::from_secs(60);
        let workers: Vec<_> = (0..4)
            .map(|_| {
                let db = db.clone();
                tokio::spawn(async move {
                    let mut mine = Vec::new();
                    loop {
                        let batch = jobs::claim_many(&db, "test", lease, 16).await.unwrap();
                        if batch.is_empty() {
                            return mine;
                        }
                        let ids: Vec<i32> = batch.iter().map(|j| j.id).collect();
                        mine.push(ids.len());
                        let txn = db.write_uncached().await.unwrap();
                        jobs::complete_in(&*txn, ids).await.unwrap();
                        txn.commit().await.unwrap();
                    }
                })
            })
            .collect();
        let mut batches = Vec::new();
        for worker in workers {
            batches.extend(worker.await.unwrap());
        }
        assert_eq!(batches.iter().sum::<usize>(), 200, "every job once");
        assert!(batches.iter().all(|n| *n <= 16));
        let done = job::Entity::find().all(db.conn()).await.unwrap();
        assert!(done
            .iter()
            .all(|j| j.status == jobs::DONE && j.attempts == 1));
    }
);

db_test!(
    should_retry_later_then_give_up_and_take_over_expired_leases,
    |db: Db| async move {
        queue(&db, 1).await;
        let policy = RetryPolicy {
            first_delay: Duration::from_secs(3600),
            max_delay: Duration::from_secs(3600),
            max_attempts: 2,
        };
        let first = jobs::claim(&db, "test", Duration::from_secs(60))
            .await
            .unwrap()
            .unwrap();
        // Leased: nobody else gets it.
        assert!(jobs::claim(&db, "test", Duration::from_secs(60))
            .await
            .unwrap()
            .is_none());
        jobs::fail(&db, &first, "smtp down", policy).await.unwrap();
        // Waiting for its back-off.
        assert!(jobs::claim(&db, "test", Duration::from_secs(60))
            .await
            .unwrap()
            .is_none());
        let row = job::Entity::find_by_id(first.id)
            .one(db.conn())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (row.status.as_str(), row.last_error.as_deref()),
            (jobs::QUEUED, Some("smtp down"))
        );

        // Due again; a worker claims it with a lease that has already passed (it died): the
        // next worker takes it over, and its second failure is the last.
        job::Entity::update_many()
            .col_expr(
                job::Column::RunAfter,
                sea_orm::sea_query::Expr::value(chrono::Utc::now()),
            )
            .exec(db.conn())
            .await
            .unwrap();
        let dying = jobs::claim(&db, "test", Duration::ZERO)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(dying.attempts, 2);
        tokio::time::sleep(Duration::from_millis(20)).await;
        let second = jobs::claim(&db, "test", Duration::from_secs(60))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(second.id, first.id);
        jobs::fail(&db, &second, "still down", policy)
            .await
            .unwrap();
        let row = job::Entity::find_by_id(first.id)
            .one(db.conn())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.status, jobs::FAILED);
        assert!(row.finished_at.is_some());
    }
);

db_test!(
    should_forget_jobs_finished_a_month_ago,
    |db: Db| async move {
        use sea_orm::sea_query::Expr;
        use sea_orm::{ColumnTrait, QueryFilter};
        queue(&db, 3).await;
        let lease = Duration::from_secs(60);
        let first = jobs::claim(&db, "test", lease).await.unwrap().unwrap();
        jobs::complete(&db, first.id, None).await.unwrap();
        let second = jobs::claim(&db, "test", lease).await.unwrap().unwrap();
        jobs::complete(&db, second.id, None).await.unwrap();
        // The first finished 31 days ago; the second just now; the third is still queued.
        let now = chrono::Utc::now();
        job::Entity::update_many()
            .col_expr(
                job::Column::FinishedAt,
                Expr::value(now - chrono::TimeDelta::days(31)),
            )
            .filter(job::Column::Id.eq(first.id))
            .exec(db.conn())
            .await
            .unwrap();
        assert_eq!(jobs::forget_finished(&db, now).await.unwrap(), 1);
        let left: Vec<i32> = job::Entity::find()
            .all(db.conn())
            .await
            .unwrap()
            .into_iter()
            .map(|j| j.id)
            .collect();
        assert_eq!(left.len(), 2);
        assert!(!left.contains(&first.id));
    }
);
