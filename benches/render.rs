//! Dashboard rendering at 200×50: the fleet pane over 10k and 100k
//! sessions, and the event stream over journals of 10k and 2M lines (at
//! the tail, and after a jump to the top). Each iteration draws one whole
//! frame into a `TestBackend`, as the terminal loop does after a change.
//! Run: cargo bench --bench render

use std::hint::black_box;
use std::io::Write;
use std::path::Path;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use switchboard::config::Config;
use switchboard::feed::{FeedHealth, RootPoller, Update};
use switchboard::model::time::parse_rfc3339;
use switchboard::tui::headless::Headless;
use switchboard::tui::msg::Msg;
use switchboard::tui::theme::{Theme, Themes};

const WIDTH: u16 = 200;
const HEIGHT: u16 = 50;
const NOW: &str = "2026-11-21T10:00:00Z";

fn event_line(i: usize) -> String {
    let at = format!("2026-11-21T09:{:02}:{:02}Z", (i / 60) % 60, i % 60);
    match i % 4 {
        0 => format!(
            r#"{{"id":"sevt_{i}","type":"agent.tool_use","created_at":"{at}","processed_at":"{at}","name":"bash","input":{{"command":"pytest -q tests/test_{i}.py"}}}}"#
        ),
        1 => format!(
            r#"{{"id":"sevt_{i}","type":"agent.tool_result","created_at":"{at}","processed_at":"{at}","tool_use_id":"sevt_{}","content":[{{"type":"text","text":"3 passed"}}]}}"#,
            i - 1
        ),
        _ => format!(
            r#"{{"id":"sevt_{i}","type":"agent.message","created_at":"{at}","processed_at":"{at}","content":[{{"type":"text","text":"looking at the auth module timeout, step {i}"}}]}}"#
        ),
    }
}

fn write_session(root: &Path, id: &str, status: &str, events: usize) {
    let dir = root.join(id);
    std::fs::create_dir_all(&dir).expect("bench root is writable");
    std::fs::write(
        dir.join("session.json"),
        format!(
            r#"{{"id":"{id}","type":"session","title":"Fix the flaky test in {id}","status":"{status}","agent":{{"id":"agent_{}"}},"created_at":"2026-11-21T08:00:00Z","updated_at":"2026-11-21T09:00:00Z"}}"#,
            id.len() % 7
        ),
    )
    .expect("bench root is writable");
    let file = std::fs::File::create(dir.join("events.jsonl")).expect("bench root is writable");
    let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
    for i in 0..events {
        writeln!(out, "{}", event_line(i)).expect("bench root is writable");
    }
    out.flush().expect("bench root is writable");
}

/// A dashboard over `root`, loaded the way the tests load one.
fn dashboard(root: &Path) -> Headless {
    let config = Config::default();
    let themes = Themes::embedded(true);
    let now = parse_rfc3339(NOW).expect("a valid time");
    let state = switchboard::tui::initial_state(
        &config,
        vec![root.display().to_string()],
        &themes,
        now,
        (WIDTH, HEIGHT),
    )
    .expect("the default config is valid");
    let mut dash = Headless::new(state);
    dash.send(Msg::Feed(Update::Health {
        source: 0,
        health: FeedHealth::Polling {
            interval_ms: 1000,
            reason: "bench".into(),
        },
    }));
    let mut poller = RootPoller::new(root, 0, config.plan_tools());
    dash.send_all(poller.poll_all().into_iter().map(Msg::Feed).collect());
    dash.send(Msg::Resize {
        width: WIDTH,
        height: HEIGHT,
    });
    dash
}

fn draw(terminal: &mut Terminal<TestBackend>, dash: &Headless, theme: &Theme) {
    let state = &dash.state;
    let frame = terminal.draw(|frame| switchboard::tui::ui::render(state, theme, frame));
    black_box(frame.map(|f| f.area).ok());
}

fn terminal() -> Terminal<TestBackend> {
    match Terminal::new(TestBackend::new(WIDTH, HEIGHT)) {
        Ok(t) => t,
        Err(e) => match e {},
    }
}

fn fleet_pane(c: &mut Criterion) {
    let theme = Themes::embedded(true).get("dark");
    let mut group = c.benchmark_group("render_fleet_200x50");
    group.sample_size(30);
    for sessions in [10_000usize, 100_000] {
        let dir = tempfile::tempdir().expect("a temp dir");
        let statuses = ["running", "idle", "rescheduling", "terminated"];
        for i in 0..sessions {
            write_session(dir.path(), &format!("sesn_{i:06}"), statuses[i % 4], 3);
        }
        let mut dash = dashboard(dir.path());
        let screen = dash.render(&theme, WIDTH, HEIGHT);
        let listed = format!("Sessions {sessions}/{sessions}");
        assert!(
            screen.contains(&listed),
            "the whole fleet is listed:\n{screen}"
        );
        let mut term = terminal();
        group.bench_with_input(BenchmarkId::from_parameter(sessions), &sessions, |b, _| {
            b.iter(|| draw(&mut term, &dash, &theme))
        });
    }
    group.finish();
}

fn event_stream(c: &mut Criterion) {
    let theme = Themes::embedded(true).get("dark");
    let mut group = c.benchmark_group("render_stream_200x50");
    group.sample_size(30);
    for lines in [10_000usize, 2_000_000] {
        let dir = tempfile::tempdir().expect("a temp dir");
        write_session(dir.path(), "sesn_big", "running", lines);
        let mut dash = dashboard(dir.path());
        dash.keys(&["enter"]);
        let screen = dash.render(&theme, WIDTH, HEIGHT);
        let last = format!("step {}", lines - 1);
        assert!(
            screen.contains(&last),
            "the stream shows its tail:\n{screen}"
        );
        let mut term = terminal();
        group.bench_with_input(BenchmarkId::new("tail", lines), &lines, |b, _| {
            b.iter(|| draw(&mut term, &dash, &theme))
        });
        dash.keys(&["g"]);
        group.bench_with_input(BenchmarkId::new("top", lines), &lines, |b, _| {
            b.iter(|| draw(&mut term, &dash, &theme))
        });
        // A keypress that moves the window, then its frame: update and draw.
        group.bench_with_input(
            BenchmarkId::new("page_down_and_draw", lines),
            &lines,
            |b, _| {
                b.iter(|| {
                    dash.keys(&["pgdn"]);
                    draw(&mut term, &dash, &theme)
                })
            },
        );
    }
    group.finish();
}

criterion_group!(benches, fleet_pane, event_stream);
criterion_main!(benches);
