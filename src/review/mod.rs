//! Review and decide (issue 5): the pure pieces the dashboard's inbox and
//! review panes call. Everything here turns data into styled ratatui text
//! once, when the data arrives, and drives the decision flow as a state
//! machine; the only IO is `external_editor` (running `$EDITOR`),
//! `notify_send` (the bell or a desktop notification) and `bulk::submit`
//! (through `store::decide`).

pub mod bulk;
pub mod decision_flow;
pub mod editor;
pub mod external_editor;
pub mod hidden;
pub mod highlight;
pub mod inbox;
pub mod markdown;
pub mod notify;
pub mod notify_send;
pub mod plan_diff;
pub mod refusal;
pub mod revisions;
pub mod snapshot;
pub mod style;
pub mod tool_view;

pub use decision_flow::{Outcome, REVIEW_KEYS, ReviewAction, ReviewDraft, ReviewTarget, Stage};
pub use editor::Editor;
pub use external_editor::{EditorError, edit_in_external_editor};
pub use hidden::{hidden_in_request, hidden_warning};
pub use inbox::{InboxRow, RequestKey, build_inbox, render_inbox};
pub use markdown::render_markdown;
pub use notify::{
    Notification, NotificationMode, NotificationsConfig, new_requests, notification_for,
};
pub use notify_send::{Delivered, deliver};
pub use plan_diff::{PlanDiff, diff_texts};
pub use refusal::{Refusal, RefusalKind, refusal_for};
pub use revisions::{PlanHistory, Revision, RevisionDecision, plan_histories};
pub use style::ReviewStyle;
pub use tool_view::{ToolView, ToolViewKind, render_request_body, render_tool_input};
