use std::process::ExitCode;

use switchboard::cli::{self, args::Cli};

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
