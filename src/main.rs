use std::process::ExitCode;

use switchboard::cli::{self, args::Cli};

// mimalloc: folding journals allocates and frees millions of small values
// on several threads, where glibc's malloc spent a quarter of the time.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    if let Err(report) = color_eyre::install() {
        eprintln!("warning: could not install the error reporter: {report}");
    }
    let cli = Cli::parse_ordered();
    match cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) if error.message.is_empty() => error.exit_code(),
        Err(error) => {
            eprintln!("switchboard: {}", error.message);
            error.exit_code()
        }
    }
}
