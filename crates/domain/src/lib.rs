//! Spil's domain: the types, invariants and rules of a strong local team's work.
//!
//! Nothing here does I/O. Input becomes a domain type once, at the edge (`Bsn::parse`,
//! `BirthDate::parse`, ...); the rules (authorisation, status transitions, the journal's
//! hash chain) are plain functions, tested as tables of cases.

pub mod access;
pub mod contact;
pub mod disclosure;
pub mod field;
pub mod household;
pub mod journal;
pub mod listing;
pub mod org;
pub mod person;
pub mod plan;
pub mod policy;
pub mod registration;
pub mod relation;
pub mod rules;
pub mod search;
pub mod trajectory;
pub mod triage;
pub mod waakvlam;

pub use field::{FieldError, FieldErrors};
