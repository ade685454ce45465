// The only C in the runtime: sigsetjmp/siglongjmp, which Rust cannot call
// soundly (a function that returns twice). See src/trap/unwind.rs.
fn main() {
    println!("cargo:rerun-if-changed=csrc/unwind.c");
    cc::Build::new().file("csrc/unwind.c").flag_if_supported("-fno-omit-frame-pointer").compile("wasmc_unwind");
}
