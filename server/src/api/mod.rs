//! REST handlers of the consoles and the PWA, grouped by resource. Every
//! handler filters by role and territory through `porte_voix_shared::policy`
//! (via the sync engine's row rule) before it returns anything.

mod campaigns;
mod contributions;
mod health_check;
pub mod residents;
mod static_files;
mod territory;

pub use campaigns::*;
pub use contributions::*;
pub use health_check::*;
pub use static_files::{cache_headers, static_files};
pub use territory::*;
