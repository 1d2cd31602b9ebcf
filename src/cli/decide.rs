//! `approve`, `deny`, `redirect`, `respond`: decisions through the store.

use super::args::DecideArgs;
use super::context::{Context, Source};
use super::exit::CliResult;
use super::output::{print_json, print_text};
use crate::config::default_decider;
use crate::rpc::remote;
use crate::store::{Decision, Verdict, decide};

pub fn run(ctx: &Context, args: &DecideArgs, verdict: Verdict, message: Option<&str>) -> CliResult {
    let source = ctx.source_of(&args.session)?;
    let decision = Decision {
        session_id: args.session.clone(),
        event_id: args.event.clone(),
        fingerprint: args.fingerprint.trim().to_string(),
        verdict,
        message: message.map(str::to_string),
        decided_by: args.who.clone().unwrap_or_else(default_decider),
    };
    let written = match source {
        Source::Root(root) => decide(root, &decision, &ctx.config.plan_tools(), ctx.now)?,
        Source::Daemon(socket) => remote::decide(socket, &decision, ctx.now)?,
    };
    if args.json {
        return print_json(&written);
    }
    let verb = match verdict {
        Verdict::Allow => "Approved",
        Verdict::Deny => "Denied",
        Verdict::Redirect => "Redirected",
        Verdict::Respond => "Answered",
    };
    print_text(&format!(
        "{verb} {} in {} as {} (written as {}).\n",
        decision.event_id,
        decision.session_id,
        decision.decided_by,
        written.get("id").and_then(|v| v.as_str()).unwrap_or("?")
    ))
}
