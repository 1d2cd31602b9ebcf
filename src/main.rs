use std::process::ExitCode;

use switchboard::cli::{
    self,
    args::{Cli, Command},
};

/// mimalloc: folding a big journal allocates from several threads at once,
/// where glibc's malloc spends a third of the time on its arena locks.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse_ordered();
    tune_allocator(&cli);
    if let Err(report) = color_eyre::install() {
        eprintln!("warning: could not install the error reporter: {report}");
    }
    match cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) if error.message.is_empty() => error.exit_code(),
        Err(error) => {
            eprintln!("switchboard: {}", error.message);
            error.exit_code()
        }
    }
}

/// Keeps resident memory to what is in use. mimalloc frees memory back to
/// the system after a delay, checked only when the program allocates again:
/// a dashboard that goes quiet after loading a 1 GiB journal would keep its
/// peak (160 MB instead of 35 MB). Processes that stay up purge at once;
/// one-shot commands keep the delay, which is cheaper while they run.
fn tune_allocator(cli: &Cli) {
    // mimalloc's `mi_option_t` values (the same in its v2 and v3 headers).
    const ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;
    const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
    let stays_up = matches!(
        cli.command,
        None | Some(
            Command::Tui
                | Command::Demo(_)
                | Command::Daemon(_)
                | Command::Watch(_)
                | Command::Simulate(_)
        )
    );
    // SAFETY: setting an option is a plain store mimalloc allows at any time.
    unsafe {
        libmimalloc_sys::mi_option_set(ARENA_EAGER_COMMIT, 0);
        if stays_up {
            libmimalloc_sys::mi_option_set(PURGE_DELAY, 0);
        }
    }
}
