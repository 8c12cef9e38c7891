//! For tests of any crate: a fresh database on the PostgreSQL server that
//! `FENGQIAO_TEST_PG` names (the README's test command starts one with
//! `scripts/pg.sh` and sets `FENGQIAO_REQUIRE_PG`), dropped at the end.

/// A database made for one test.
#[derive(Debug)]
pub struct TestDatabase {
    admin: String,
    name: String,
}

impl TestDatabase {
    /// A fresh database `fq_TAG_PID`, or `None` when no server is configured
    /// (allowed only outside the test command).
    pub fn new(tag: &str) -> Option<Self> {
        let Ok(admin) = std::env::var("FENGQIAO_TEST_PG") else {
            assert!(
                std::env::var("FENGQIAO_REQUIRE_PG").is_err(),
                "FENGQIAO_REQUIRE_PG is set but FENGQIAO_TEST_PG is not: start one with scripts/pg.sh start"
            );
            eprintln!("no FENGQIAO_TEST_PG: PostgreSQL tests skipped (scripts/test runs them)");
            return None;
        };
        let name = format!("fq_{tag}_{}", std::process::id());
        let mut c = crate::connect(&admin).expect("the test server");
        c.batch_execute(&format!("DROP DATABASE IF EXISTS {name}")).unwrap();
        c.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
        Some(Self { admin, name })
    }

    /// Its connection string.
    pub fn url(&self) -> String {
        format!("{} dbname={}", self.admin.replace("dbname=postgres", ""), self.name)
    }

    /// A plain connection to it.
    pub fn client(&self) -> postgres::Client {
        crate::connect(&self.url()).expect("the test database")
    }
}

impl Drop for TestDatabase {
    /// Dropped on a thread of its own, so also from async tests.
    fn drop(&mut self) {
        let (admin, name) = (self.admin.clone(), self.name.clone());
        let dropper = std::thread::spawn(move || {
            if let Ok(mut c) = crate::connect(&admin) {
                let _ = c.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        });
        let _ = dropper.join();
    }
}
