//! Link the `afsearch` binary as a position-dependent executable on Linux.
//!
//! A one-shot search on a small corpus takes a few milliseconds, and a position-independent
//! executable spends about 0.8 ms of them before `main`: the dynamic loader applies ~27,000
//! relative relocations (vtables, panic locations, static tables of Tantivy and its
//! dependencies) and copies every page of `.data.rel.ro` it writes to. Linked at a fixed
//! address, none of that happens (measured with `hyperfine -N 'afsearch --version'`: 2.4 →
//! 1.6 ms). The cost is that the binary's own image is not randomised; the heap, the stack and
//! the shared libraries still are. The library, tests and examples are linked as usual.
//! Set `AFSEARCH_PIE=1` when building to keep the default.
//!
//! On x86_64 Linux, `.cargo/cc-static` (the linker `.cargo/config.toml` names) also links the
//! executable this marks with `-no-pie` statically; see its opening comment.

fn main() {
    println!("cargo:rerun-if-env-changed=AFSEARCH_PIE");
    // Read by .cargo/cc-static: a change must relink the binary.
    println!("cargo:rerun-if-env-changed=AFSEARCH_DYNAMIC");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    let keep_pie = std::env::var_os("AFSEARCH_PIE").is_some_and(|v| v == "1");
    if os == "linux" && env == "gnu" && !keep_pie {
        println!("cargo:rustc-link-arg-bin=afsearch=-no-pie");
    }
}
