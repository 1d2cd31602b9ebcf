//! The session contract (`docs/format.md`) as pure data and functions.
//! Nothing here does IO: time arrives as an argument, bytes arrive as slices.

pub mod agents;
pub mod bridged;
pub mod decoder_agreement;
pub mod event;
pub mod event_summary;
pub mod event_type;
pub mod fingerprint;
pub mod fold_steps;
pub mod line;
pub mod line_scan;
pub mod open_request;
pub mod pending;
pub mod plan;
pub mod prepared_event;
pub mod prices;
pub mod raw_json;
pub mod session;
pub mod status;
pub mod stuck;
pub mod summary;
pub mod time;
pub mod wake;

pub use event::{Event, ProcessedAt};
pub use event_type::EventType;
pub use fingerprint::fingerprint;
pub use line::{LineParse, parse_line};
pub use pending::{PendingRequest, RequestKind};
pub use session::{SessionDoc, StopReason, Usage};
pub use status::DisplayStatus;
pub use stuck::{StuckFinding, StuckRule, StuckThresholds};
pub use summary::JournalSummary;
pub use wake::{WakeEntry, WakeQueue};
