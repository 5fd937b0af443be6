//! The `epbench` command line: argument parsing and calls into the library, nothing else.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
