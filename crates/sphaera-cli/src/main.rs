//! The `sphaera` command-line tool: argument parsing, files, progress and reports around
//! the `sphaera` library, which holds all the mathematics.

mod cli;
mod commands;
mod flags;
mod hierarchy;
mod npy;
mod output;
mod system;

use std::io::ErrorKind;
use std::process::ExitCode;

use clap::Parser;

use crate::cli::{BenchCommand, Cli, Command, DataCommand, HierarchyCommand};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) if err.use_stderr() => {
            eprintln!("{}", one_line(&err.to_string()));
            return ExitCode::from(2);
        }
        Err(err) => {
            // --help and --version: print and succeed.
            let _ = err.print();
            return ExitCode::SUCCESS;
        }
    };
    let result = match cli.command {
        Command::Disperse(args) => commands::disperse::run(args),
        Command::Data(DataCommand::Wordnet(args)) => commands::data::wordnet(args),
        Command::Data(DataCommand::Split(args)) => commands::data::split(args),
        Command::Hierarchy(HierarchyCommand::Train(args)) => commands::hierarchy::train(*args),
        Command::Hierarchy(HierarchyCommand::Eval(args)) => commands::hierarchy::eval(args),
        Command::Hierarchy(HierarchyCommand::Compare(args)) => commands::hierarchy::compare(args),
        Command::Bench(BenchCommand::Step(args)) => commands::bench::step(args),
        Command::Tammes(args) => commands::tammes::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {}", one_line(&format!("{err:#}")));
            ExitCode::from(2)
        }
    }
}

/// Folds clap's multi-line usage errors (and any error chain) into one line.
fn one_line(text: &str) -> String {
    text.lines()
        .take_while(|l| !l.starts_with("Usage:") && !l.starts_with("For more information"))
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A closed pipe (`sphaera ... | head`) is the reader's choice, not a failure.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == ErrorKind::BrokenPipe)
    })
}
