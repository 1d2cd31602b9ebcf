//! What the simulated agents talk about: tasks with real files and diffs,
//! thinking and progress lines, tool commands and their output.

use rand::RngExt;
use rand::seq::IndexedRandom;
use rand_chacha::ChaCha8Rng;

/// One piece of work a simulated agent is asked to do.
#[derive(Debug, Clone, Copy)]
pub struct Task {
    pub title: &'static str,
    pub prompt: &'static str,
    pub lane: &'static str,
    pub file: &'static str,
    pub before: &'static str,
    pub after: &'static str,
    pub test: &'static str,
    /// Plan steps, in order.
    pub steps: &'static [&'static str],
}

pub const TASKS: &[Task] = &[
    Task {
        title: "Fix login timeout",
        prompt: "Users get logged out after 5 seconds on slow networks. Fix the login timeout.",
        lane: "repo-fix",
        file: "api/auth.py",
        before: "import time\n\nTIMEOUT = 5\n\n\ndef login(user, password):\n    deadline = time.time() + TIMEOUT\n    return authenticate(user, password, deadline)\n",
        after: "import time\n\nTIMEOUT = 30\n\n\ndef login(user, password):\n    deadline = time.monotonic() + TIMEOUT\n    return authenticate(user, password, deadline)\n",
        test: "pytest tests/test_auth.py -q",
        steps: &[
            "Reproduce the timeout with a slow-network test",
            "Raise TIMEOUT to 30 s and use a monotonic clock",
            "Run the auth test suite",
        ],
    },
    Task {
        title: "Refactor billing totals",
        prompt: "Billing totals are computed in three places. Move them into one function.",
        lane: "refactor",
        file: "src/billing/invoice.rs",
        before: "pub fn total(lines: &[Line]) -> u64 {\n    let mut sum = 0;\n    for line in lines {\n        sum += line.price * line.qty;\n    }\n    sum\n}\n",
        after: "pub fn total(lines: &[Line]) -> u64 {\n    lines.iter().map(Line::amount).sum()\n}\n",
        test: "cargo test -p billing",
        steps: &[
            "Find every place that sums invoice lines",
            "Add Line::amount and use it in total()",
            "Replace the two copies with calls to total()",
            "Run the billing tests",
        ],
    },
    Task {
        title: "Add retry to the webhook sender",
        prompt: "Webhook deliveries fail permanently on the first 502. Add retries with backoff.",
        lane: "reliability",
        file: "services/webhooks/send.go",
        before: "func Send(ctx context.Context, hook Hook) error {\n\tresp, err := client.Do(hook.Request(ctx))\n\tif err != nil {\n\t\treturn err\n\t}\n\treturn check(resp)\n}\n",
        after: "func Send(ctx context.Context, hook Hook) error {\n\treturn retry.Do(ctx, retry.Backoff(3, 200*time.Millisecond), func() error {\n\t\tresp, err := client.Do(hook.Request(ctx))\n\t\tif err != nil {\n\t\t\treturn err\n\t\t}\n\t\treturn check(resp)\n\t})\n}\n",
        test: "go test ./services/webhooks/...",
        steps: &[
            "Write a test with a server that fails twice with 502",
            "Wrap the send in retry.Do with exponential backoff",
            "Make sure 4xx responses are not retried",
        ],
    },
    Task {
        title: "Upgrade the date library",
        prompt: "Upgrade date-fns from 2.x to 3.x and fix what breaks.",
        lane: "deps",
        file: "web/src/format.ts",
        before: "import { format } from 'date-fns';\n\nexport function day(d: Date): string {\n  return format(d, 'YYYY-MM-DD');\n}\n",
        after: "import { format } from 'date-fns';\n\nexport function day(d: Date): string {\n  return format(d, 'yyyy-MM-dd');\n}\n",
        test: "npm test -- format",
        steps: &[
            "Bump date-fns in package.json",
            "Fix the format tokens that changed",
            "Run the web test suite",
        ],
    },
    Task {
        title: "Paginate the audit endpoint",
        prompt: "GET /audit returns every row and times out for big tenants. Add cursor pagination.",
        lane: "api",
        file: "api/audit.py",
        before: "def list_audit(tenant):\n    rows = db.query(Audit).filter_by(tenant=tenant).all()\n    return [r.to_json() for r in rows]\n",
        after: "def list_audit(tenant, cursor=None, limit=100):\n    q = db.query(Audit).filter_by(tenant=tenant).order_by(Audit.id)\n    if cursor:\n        q = q.filter(Audit.id > cursor)\n    rows = q.limit(limit).all()\n    return {\"items\": [r.to_json() for r in rows], \"next\": rows[-1].id if rows else None}\n",
        test: "pytest tests/test_audit.py -q",
        steps: &[
            "Add cursor and limit parameters",
            "Order by id and return the next cursor",
            "Update the API docs and the client",
        ],
    },
    Task {
        title: "Silence the flaky cache test",
        prompt: "test_cache_expiry fails one run in ten on CI. Find out why and fix it.",
        lane: "ci",
        file: "tests/test_cache.py",
        before: "def test_cache_expiry():\n    cache.set('k', 1, ttl=1)\n    time.sleep(1)\n    assert cache.get('k') is None\n",
        after: "def test_cache_expiry(fake_clock):\n    cache.set('k', 1, ttl=1)\n    fake_clock.advance(1.001)\n    assert cache.get('k') is None\n",
        test: "pytest tests/test_cache.py -q --count 50",
        steps: &[
            "Run the test 200 times to reproduce",
            "Replace sleep with a fake clock",
            "Run it 50 times to confirm",
        ],
    },
    Task {
        title: "Index orders by customer",
        prompt: "The orders page is slow for customers with many orders. Add the missing index.",
        lane: "db",
        file: "migrations/0042_orders_customer_idx.sql",
        before: "-- orders\n",
        after: "-- orders\nCREATE INDEX CONCURRENTLY IF NOT EXISTS orders_customer_id_idx\n    ON orders (customer_id, created_at DESC);\n",
        test: "make migrate-test",
        steps: &[
            "Confirm the sequential scan with EXPLAIN",
            "Add the index concurrently in a migration",
            "Check the plan uses the index",
        ],
    },
    Task {
        title: "Write the changelog for 2.4",
        prompt: "Write the 2.4 changelog from the merged pull requests.",
        lane: "release",
        file: "CHANGELOG.md",
        before: "# Changelog\n\n## 2.3.0\n- Faster search\n",
        after: "# Changelog\n\n## 2.4.0\n- Login no longer times out on slow networks\n- Webhooks retry on 5xx\n\n## 2.3.0\n- Faster search\n",
        test: "make lint-docs",
        steps: &[
            "List the pull requests merged since 2.3",
            "Group them by user-visible change",
            "Write the entries",
        ],
    },
];

pub const THINKING: &[&str] = &[
    "The failing path goes through the middleware first; check how the deadline is computed there.",
    "There are two call sites. One of them is only used by the admin CLI, so the change is low risk.",
    "The test suite mocks the clock in some places but not here. That explains the flakiness.",
    "I should read the config loader before touching the default, in case it is overridden.",
    "A migration on a big table needs CONCURRENTLY, otherwise it locks writes.",
    "The error message says 502, which is the proxy, not our handler.",
    "Let me check whether anything else imports this module before changing its signature.",
];

pub const PROGRESS: &[&str] = &[
    "Found the cause; preparing a change.",
    "Reading the surrounding code to keep the change small.",
    "The tests pass locally; checking the linters next.",
    "Looking at the git history of this file for context.",
    "Writing a regression test first.",
];

pub const READS: &[&str] = &[
    "rg -n TIMEOUT --type-add 'src:*.{py,rs,go,ts}'",
    "git log --oneline -5 -- .",
    "ls -la",
    "cat README.md",
    "git status --short",
];

pub const ERRORS: &[(&str, &str)] = &[
    ("model_overloaded_error", "Overloaded"),
    ("rate_limit_error", "Rate limited: 40 requests per minute"),
    ("api_error", "Internal server error"),
];

/// Questions a support agent asks through a custom tool.
pub const LOOKUPS: &[(&str, &str, &str)] = &[
    ("lookup_order", "order_id", "A-1042"),
    ("lookup_customer", "email", "dana@example.com"),
    ("check_refund_policy", "sku", "KB-88"),
];

pub fn pick<T: Copy>(rng: &mut ChaCha8Rng, items: &[T]) -> T {
    // Every list above is non-empty; the fallback keeps this total anyway.
    *items.choose(rng).unwrap_or(&items[0])
}

pub fn task(rng: &mut ChaCha8Rng) -> Task {
    pick(rng, TASKS)
}

/// A unified diff from `before` to `after`, as `edit_file` carries it.
pub fn unified_diff(path: &str, before: &str, after: &str) -> String {
    similar::TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}

/// What running a command prints, plausibly.
pub fn command_output(command: &str, rng: &mut ChaCha8Rng) -> String {
    let passed = rng.random_range(12..180);
    if command.starts_with("pytest") {
        format!(
            "{passed} passed in {}.{}s",
            rng.random_range(1..9),
            rng.random_range(0..9)
        )
    } else if command.starts_with("cargo test") {
        format!("test result: ok. {passed} passed; 0 failed; 0 ignored")
    } else if command.starts_with("go test") {
        "ok  \tservices/webhooks\t0.412s".into()
    } else if command.starts_with("npm test") {
        format!("Tests: {passed} passed, {passed} total")
    } else if command.starts_with("git push") {
        "To origin\n * [new branch]      HEAD -> fix".into()
    } else if command.starts_with("git status") {
        " M src/lib.rs".into()
    } else {
        format!("{} lines", rng.random_range(3..60))
    }
}
