//! What each target needs from the machine, written once for `build.rs`
//! (which builds a runtime library for every target whose toolchain is
//! installed) and `link.rs` (which finds the linker and says how to install
//! what is missing). The list matches `wasmc_compiler::isa::TARGETS`.

/// A target wasmc builds executables for.
pub struct Toolchain {
    /// The Rust triple: the runtime library's target and the name users pass
    /// to `--target`.
    pub triple: &'static str,
    /// The GNU triplet: the prefix of the cross tools
    /// (`aarch64-linux-gnu-gcc`), clang's `--target` and the directory of the
    /// cross C library (`/usr/aarch64-linux-gnu`).
    pub gnu: &'static str,
    /// Debian packages with the cross C compiler and the target's C library.
    pub debian: &'static str,
    /// The qemu-user program that runs the target's programs on another
    /// architecture (Debian package `qemu-user`).
    pub qemu: &'static str,
    /// Whether `clang --target=<gnu> -fuse-ld=lld` can link for it. Not for
    /// riscv64: Debian 12's lld 14 rejects the C library's objects
    /// (`R_RISCV_ALIGN requires unimplemented linker relaxation`).
    pub lld: bool,
}

pub const TOOLCHAINS: [Toolchain; 3] = [
    Toolchain {
        triple: "x86_64-unknown-linux-gnu",
        gnu: "x86_64-linux-gnu",
        debian: "gcc-x86-64-linux-gnu libc6-dev-amd64-cross",
        qemu: "qemu-x86_64",
        lld: true,
    },
    Toolchain {
        triple: "aarch64-unknown-linux-gnu",
        gnu: "aarch64-linux-gnu",
        debian: "gcc-aarch64-linux-gnu libc6-dev-arm64-cross",
        qemu: "qemu-aarch64",
        lld: true,
    },
    Toolchain {
        triple: "riscv64gc-unknown-linux-gnu",
        gnu: "riscv64-linux-gnu",
        debian: "gcc-riscv64-linux-gnu libc6-dev-riscv64-cross",
        qemu: "qemu-riscv64",
        lld: false,
    },
];

pub fn toolchain(triple: &str) -> Option<&'static Toolchain> {
    TOOLCHAINS.iter().find(|t| t.triple == triple)
}

impl Toolchain {
    /// The architecture part of the GNU triplet (`aarch64`), as
    /// `cc -dumpmachine` prints it.
    pub fn arch(&self) -> &'static str {
        self.gnu.split('-').next().unwrap_or(self.gnu)
    }

    /// The environment variable naming the target's C compiler, as the `cc`
    /// crate reads it: `CC_aarch64_unknown_linux_gnu`.
    pub fn cc_env(&self) -> String {
        format!("CC_{}", self.triple.replace('-', "_"))
    }

    /// The cross GCC's name.
    pub fn gcc(&self) -> String {
        format!("{}-gcc", self.gnu)
    }
}

/// Whether `prog` (a name looked up in PATH, or a path) exists.
pub fn on_path(prog: &str) -> bool {
    find_on_path(prog).is_some()
}

/// The full path of `prog` (a name looked up in PATH, or a path).
pub fn find_on_path(prog: &str) -> Option<std::path::PathBuf> {
    if prog.contains('/') {
        let p = std::path::Path::new(prog);
        return p.exists().then(|| p.to_path_buf());
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|d| d.join(prog)).find(|p| p.is_file())
}
