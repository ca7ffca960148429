//! Integration tests: the real `afsearch` binary and the library's public API, one test binary
//! with modules grouped by theme (ripgrep's layout).

mod util;

mod cli;
mod dates;
mod entities;
mod library;
mod robustness;
mod typo;
mod update;
