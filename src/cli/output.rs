//! Writing `--json` documents and human text to stdout.

use std::io::{self, Write};

use serde::Serialize;

use super::exit::{CliError, CliResult};

/// Prints exactly one JSON document and a newline.
pub fn print_json<T: Serialize + ?Sized>(value: &T) -> CliResult {
    let stdout = io::stdout();
    let mut out = stdout.lock();
    serde_json::to_writer(&mut out, value).map_err(|e| CliError::other(e.to_string()))?;
    writeln!(out).map_err(broken_pipe_ok)?;
    Ok(())
}

/// Prints text as is.
pub fn print_text(text: &str) -> CliResult {
    let stdout = io::stdout();
    let mut out = stdout.lock();
    out.write_all(text.as_bytes()).map_err(broken_pipe_ok)?;
    Ok(())
}

/// A closed pipe (`| head`) is not an error worth a message.
pub fn broken_pipe_ok(e: io::Error) -> CliError {
    if e.kind() == io::ErrorKind::BrokenPipe {
        CliError::new(0, String::new())
    } else {
        CliError::other(e.to_string())
    }
}
