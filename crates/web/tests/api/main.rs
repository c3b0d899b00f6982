//! All integration tests in one binary: each starts Spil on a free port against a fresh
//! database — SQLite by default, PostgreSQL when SPIL_TEST_POSTGRES_URL is set.

mod helpers;

mod access;
mod contacts;
mod demo;
mod gate;
mod hardening;
mod import;
mod intake;
mod journal;
mod lists;
mod pages;
mod people;
mod plan;
mod registrations;
mod search;
mod team_and_status;
