//! The journal's integrity: per-stream hash chains whose links are keyed MACs over digests of
//! each entry's content, and signed checkpoints over every chain head that are kept outside
//! the database.
//!
//! - **Altering** an entry (its content, its digests or its link) breaks its MAC, and nobody
//!   without the key can compute a new one.
//! - **Removing or reordering** entries breaks the link of the entry after them.
//! - **Cutting the newest entries off** a chain (and moving its head back), or **deleting a
//!   whole chain**, is caught by the latest checkpoint: it names every chain's length and
//!   last link at the time, and is signed and written where the database cannot change it.
//! - **Erasing** an entry's content for retention keeps its digests, so the chain still
//!   verifies, while any alteration of what remains is still detected.

mod chain;
mod checkpoint;
mod key;

pub use chain::*;
pub use checkpoint::*;
pub use key::*;
