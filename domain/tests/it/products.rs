//! Products and bundles, managed by operators.
use domain::{products, Code, Db, Error, Principal};

use crate::db_test;
use crate::helpers::*;

async fn operator(db: &Db) -> Principal {
    operator_named(db, "olga").await
}

fn code(result: Result<impl std::fmt::Debug, Error>) -> Code {
    match result {
        Err(err) => err.code(),
        Ok(value) => panic!("expected a refusal, got {value:?}"),
    }
}

db_test!(should_define_products_and_bundles, |db: Db| async move {
    let demo = demo(&db).await;
    let olga = operator(&db).await;
    products::create_product(&db, &olga, "reader", "Leeshulp")
        .await
        .unwrap();
    products::create_product(&db, &olga, "tts", "Voorleesstem")
        .await
        .unwrap();
    assert_eq!(
        code(products::create_product(&db, &olga, "reader", "Again").await),
        Code::ProductKeyTaken
    );
    assert_eq!(
        code(products::create_product(&db, &olga, "Lees Hulp", "x").await),
        Code::ProductKeyInvalid
    );
    assert_eq!(
        code(products::create_product(&db, &olga, "writer", " ").await),
        Code::NameRequired
    );
    let all = ["reader".to_string(), "tts".to_string()];
    let bundle = products::create_bundle(&db, &olga, "Ultimate Bundle", &all)
        .await
        .unwrap();
    assert_eq!(bundle.products, all);
    assert_eq!(
        code(products::create_bundle(&db, &olga, "Ultimate Bundle", &all).await),
        Code::BundleNameTaken
    );
    assert_eq!(
        code(products::create_bundle(&db, &olga, "Leeg", &[]).await),
        Code::BundleEmpty
    );
    assert_eq!(
        code(products::create_bundle(&db, &olga, "Fout", &["reader".into(), "nope".into()]).await),
        Code::ProductUnknown
    );
    let (listed, bundles) = products::catalogue(&db, &olga).await.unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(bundles, [bundle]);
    // A subscription without bundle covers every product.
    assert_eq!(products::bundle_keys(db.conn(), None).await.unwrap(), all);
    // Customers' administrators do not define products.
    assert_eq!(
        code(products::create_product(&db, &demo.admin, "sneaky", "Sneaky").await),
        Code::Forbidden
    );
});
