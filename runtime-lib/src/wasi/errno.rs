//! WASI preview1 `errno` values and the mapping from host (Linux) errno.

use std::fmt;

/// A WASI preview1 error number (`errno`, a `u16`). `Errno::SUCCESS` is 0.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Errno(pub u16);

/// What every WASI operation in this module returns.
pub type WasiResult<T> = Result<T, Errno>;

macro_rules! errnos {
    ($($name:ident = $val:expr;)*) => {
        impl Errno {
            $(pub const $name: Errno = Errno($val);)*

            /// The preview1 name of this errno (as in the witx file), for
            /// diagnostics.
            pub fn name(self) -> &'static str {
                match self.0 {
                    $($val => stringify!($name),)*
                    _ => "UNKNOWN",
                }
            }
        }
    };
}

errnos! {
    SUCCESS = 0;
    TOOBIG = 1;
    ACCES = 2;
    ADDRINUSE = 3;
    ADDRNOTAVAIL = 4;
    AFNOSUPPORT = 5;
    AGAIN = 6;
    ALREADY = 7;
    BADF = 8;
    BADMSG = 9;
    BUSY = 10;
    CANCELED = 11;
    CHILD = 12;
    CONNABORTED = 13;
    CONNREFUSED = 14;
    CONNRESET = 15;
    DEADLK = 16;
    DESTADDRREQ = 17;
    DOM = 18;
    DQUOT = 19;
    EXIST = 20;
    FAULT = 21;
    FBIG = 22;
    HOSTUNREACH = 23;
    IDRM = 24;
    ILSEQ = 25;
    INPROGRESS = 26;
    INTR = 27;
    INVAL = 28;
    IO = 29;
    ISCONN = 30;
    ISDIR = 31;
    LOOP = 32;
    MFILE = 33;
    MLINK = 34;
    MSGSIZE = 35;
    MULTIHOP = 36;
    NAMETOOLONG = 37;
    NETDOWN = 38;
    NETRESET = 39;
    NETUNREACH = 40;
    NFILE = 41;
    NOBUFS = 42;
    NODEV = 43;
    NOENT = 44;
    NOEXEC = 45;
    NOLCK = 46;
    NOLINK = 47;
    NOMEM = 48;
    NOMSG = 49;
    NOPROTOOPT = 50;
    NOSPC = 51;
    NOSYS = 52;
    NOTCONN = 53;
    NOTDIR = 54;
    NOTEMPTY = 55;
    NOTRECOVERABLE = 56;
    NOTSOCK = 57;
    NOTSUP = 58;
    NOTTY = 59;
    NXIO = 60;
    OVERFLOW = 61;
    OWNERDEAD = 62;
    PERM = 63;
    PIPE = 64;
    PROTO = 65;
    PROTONOSUPPORT = 66;
    PROTOTYPE = 67;
    RANGE = 68;
    ROFS = 69;
    SPIPE = 70;
    SRCH = 71;
    STALE = 72;
    TIMEDOUT = 73;
    TXTBSY = 74;
    XDEV = 75;
    NOTCAPABLE = 76;
}

impl fmt::Debug for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Errno::{}({})", self.name(), self.0)
    }
}

impl Errno {
    /// Map a host errno value (`libc::E*`) to the WASI errno. Host values
    /// with no WASI counterpart become `IO`.
    ///
    /// Linux aliases (`EWOULDBLOCK` = `EAGAIN`, `EOPNOTSUPP` = `ENOTSUP`,
    /// `EDEADLOCK` = `EDEADLK`) are covered by their canonical name.
    pub fn from_host(e: i32) -> Errno {
        use libc::*;
        match e {
            0 => Errno::SUCCESS,
            E2BIG => Errno::TOOBIG,
            EACCES => Errno::ACCES,
            EADDRINUSE => Errno::ADDRINUSE,
            EADDRNOTAVAIL => Errno::ADDRNOTAVAIL,
            EAFNOSUPPORT => Errno::AFNOSUPPORT,
            EAGAIN => Errno::AGAIN,
            EALREADY => Errno::ALREADY,
            EBADF => Errno::BADF,
            EBADMSG => Errno::BADMSG,
            EBUSY => Errno::BUSY,
            ECANCELED => Errno::CANCELED,
            ECHILD => Errno::CHILD,
            ECONNABORTED => Errno::CONNABORTED,
            ECONNREFUSED => Errno::CONNREFUSED,
            ECONNRESET => Errno::CONNRESET,
            EDEADLK => Errno::DEADLK,
            EDESTADDRREQ => Errno::DESTADDRREQ,
            EDOM => Errno::DOM,
            EDQUOT => Errno::DQUOT,
            EEXIST => Errno::EXIST,
            EFAULT => Errno::FAULT,
            EFBIG => Errno::FBIG,
            EHOSTUNREACH => Errno::HOSTUNREACH,
            EHOSTDOWN => Errno::HOSTUNREACH,
            EIDRM => Errno::IDRM,
            EILSEQ => Errno::ILSEQ,
            EINPROGRESS => Errno::INPROGRESS,
            EINTR => Errno::INTR,
            EINVAL => Errno::INVAL,
            EIO => Errno::IO,
            EISCONN => Errno::ISCONN,
            EISDIR => Errno::ISDIR,
            ELOOP => Errno::LOOP,
            EMFILE => Errno::MFILE,
            EMLINK => Errno::MLINK,
            EMSGSIZE => Errno::MSGSIZE,
            EMULTIHOP => Errno::MULTIHOP,
            ENAMETOOLONG => Errno::NAMETOOLONG,
            ENETDOWN => Errno::NETDOWN,
            ENETRESET => Errno::NETRESET,
            ENETUNREACH => Errno::NETUNREACH,
            ENFILE => Errno::NFILE,
            ENOBUFS => Errno::NOBUFS,
            ENODEV => Errno::NODEV,
            ENOENT => Errno::NOENT,
            ENOEXEC => Errno::NOEXEC,
            ENOLCK => Errno::NOLCK,
            ENOLINK => Errno::NOLINK,
            ENOMEM => Errno::NOMEM,
            ENOMSG => Errno::NOMSG,
            ENOPROTOOPT => Errno::NOPROTOOPT,
            ENOSPC => Errno::NOSPC,
            ENOSYS => Errno::NOSYS,
            ENOTCONN => Errno::NOTCONN,
            ENOTDIR => Errno::NOTDIR,
            ENOTEMPTY => Errno::NOTEMPTY,
            ENOTRECOVERABLE => Errno::NOTRECOVERABLE,
            ENOTSOCK => Errno::NOTSOCK,
            ENOTSUP => Errno::NOTSUP,
            ENOTTY => Errno::NOTTY,
            ENXIO => Errno::NXIO,
            EOVERFLOW => Errno::OVERFLOW,
            EOWNERDEAD => Errno::OWNERDEAD,
            EPERM => Errno::PERM,
            EPIPE => Errno::PIPE,
            EPROTO => Errno::PROTO,
            EPROTONOSUPPORT => Errno::PROTONOSUPPORT,
            EPROTOTYPE => Errno::PROTOTYPE,
            ERANGE => Errno::RANGE,
            EROFS => Errno::ROFS,
            ESPIPE => Errno::SPIPE,
            ESRCH => Errno::SRCH,
            ESTALE => Errno::STALE,
            ETIMEDOUT => Errno::TIMEDOUT,
            ETIME => Errno::TIMEDOUT,
            ETXTBSY => Errno::TXTBSY,
            EXDEV => Errno::XDEV,
            ENODATA => Errno::NOMSG,
            ESOCKTNOSUPPORT => Errno::PROTONOSUPPORT,
            EPFNOSUPPORT => Errno::AFNOSUPPORT,
            _ => Errno::IO,
        }
    }

    /// The WASI errno for the calling thread's current host `errno`.
    pub fn last_os() -> Errno {
        Errno::from_host(std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::EIO))
    }

    /// The WASI errno for a `std::io::Error` (`IO` if it carries no OS code).
    pub fn from_io(e: &std::io::Error) -> Errno {
        match e.raw_os_error() {
            Some(code) => Errno::from_host(code),
            None => Errno::IO,
        }
    }
}

impl From<std::io::Error> for Errno {
    fn from(e: std::io::Error) -> Errno {
        Errno::from_io(&e)
    }
}

/// Turn the return value of a libc call that reports failure as `-1` with
/// `errno` into a `WasiResult`, retrying on `EINTR`.
pub(crate) fn cvt<T: Copy + PartialEq + From<i8>>(mut f: impl FnMut() -> T) -> WasiResult<T> {
    loop {
        let r = f();
        if r != T::from(-1) {
            return Ok(r);
        }
        let e = std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::EIO);
        if e != libc::EINTR {
            return Err(Errno::from_host(e));
        }
    }
}

/// For libc calls that return the error number directly (`posix_fadvise`,
/// `posix_fallocate`): 0 is success.
pub(crate) fn cvt_direct(mut f: impl FnMut() -> i32) -> WasiResult<()> {
    loop {
        match f() {
            0 => return Ok(()),
            libc::EINTR => continue,
            e => return Err(Errno::from_host(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wasi_errno_values_match_the_witx() {
        assert_eq!(Errno::SUCCESS.0, 0);
        assert_eq!(Errno::TOOBIG.0, 1);
        assert_eq!(Errno::BADF.0, 8);
        assert_eq!(Errno::FAULT.0, 21);
        assert_eq!(Errno::INVAL.0, 28);
        assert_eq!(Errno::NOENT.0, 44);
        assert_eq!(Errno::NOSYS.0, 52);
        assert_eq!(Errno::NOTSUP.0, 58);
        assert_eq!(Errno::PERM.0, 63);
        assert_eq!(Errno::XDEV.0, 75);
        assert_eq!(Errno::NOTCAPABLE.0, 76);
        assert_eq!(Errno::NOTCAPABLE.name(), "NOTCAPABLE");
    }

    #[test]
    fn host_errno_mapping() {
        let cases = [
            (0, Errno::SUCCESS),
            (libc::E2BIG, Errno::TOOBIG),
            (libc::EACCES, Errno::ACCES),
            (libc::EAGAIN, Errno::AGAIN),
            (libc::EWOULDBLOCK, Errno::AGAIN),
            (libc::EBADF, Errno::BADF),
            (libc::EEXIST, Errno::EXIST),
            (libc::EINTR, Errno::INTR),
            (libc::EINVAL, Errno::INVAL),
            (libc::EISDIR, Errno::ISDIR),
            (libc::ELOOP, Errno::LOOP),
            (libc::ENOENT, Errno::NOENT),
            (libc::ENOTDIR, Errno::NOTDIR),
            (libc::ENOTEMPTY, Errno::NOTEMPTY),
            (libc::EOPNOTSUPP, Errno::NOTSUP),
            (libc::EPERM, Errno::PERM),
            (libc::EPIPE, Errno::PIPE),
            (libc::ESPIPE, Errno::SPIPE),
            (libc::EXDEV, Errno::XDEV),
            (libc::EDEADLOCK, Errno::DEADLK),
            (libc::ENOMEDIUM, Errno::IO),
            (99999, Errno::IO),
        ];
        for (host, wasi) in cases {
            assert_eq!(Errno::from_host(host), wasi, "host errno {host}");
        }
        // Every WASI errno except SUCCESS/NOTCAPABLE is reachable from some
        // host errno: scan the plausible range.
        let mut seen = [false; 77];
        for e in 0..200 {
            seen[Errno::from_host(e).0 as usize] = true;
        }
        for (i, s) in seen.iter().enumerate() {
            if i != 76 {
                assert!(*s, "no host errno maps to {:?}", Errno(i as u16));
            }
        }
    }

    #[test]
    fn io_error_mapping() {
        let e = std::io::Error::from_raw_os_error(libc::ENOENT);
        assert_eq!(Errno::from(e), Errno::NOENT);
        let e = std::io::Error::other("no code");
        assert_eq!(Errno::from_io(&e), Errno::IO);
    }
}
