//! What running one module does, written the same way for both engines,
//! and how two runs are compared.
//!
//! A run is a list of events, one text line each (the oracle prints them,
//! `engine_wasmc` builds them):
//!
//! ```text
//! invalid <message>                 the module was refused
//! unsupported <feature>             wasmc only: a feature it does not run
//! instantiate ok | instantiate trap <CODE> | instantiate error <message>
//! ok <type>:<hex bits>...           a call returned these results
//! trap <CODE> | error <message>     a call trapped / failed otherwise
//! memory <name hex> <bytes> <sha256 hex>
//! global <name hex> <type>:<hex bits>
//! ```
//!
//! Trap codes are Wasmtime's `TrapCode` names, to which wasmc's trap kinds
//! are mapped (`engine_wasmc::trap_code`).

use std::fmt::Write as _;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    I32,
    I64,
    F32,
    F64,
}

impl Ty {
    pub fn name(self) -> &'static str {
        match self {
            Ty::I32 => "i32",
            Ty::I64 => "i64",
            Ty::F32 => "f32",
            Ty::F64 => "f64",
        }
    }
    fn parse(s: &str) -> Option<Ty> {
        Some(match s {
            "i32" => Ty::I32,
            "i64" => Ty::I64,
            "f32" => Ty::F32,
            "f64" => Ty::F64,
            _ => return None,
        })
    }
}

#[derive(Clone, Copy, Debug)]
pub struct Value {
    pub ty: Ty,
    pub bits: u64,
}

impl Value {
    fn is_nan(&self) -> bool {
        match self.ty {
            Ty::F32 => f32::from_bits(self.bits as u32).is_nan(),
            Ty::F64 => f64::from_bits(self.bits).is_nan(),
            _ => false,
        }
    }
    /// Equal bits, or both NaN: the oracle's floats pass through Python
    /// doubles, which do not keep a NaN's payload.
    fn same(&self, other: &Value) -> bool {
        self.ty == other.ty && (self.bits == other.bits || (self.is_nan() && other.is_nan()))
    }
    fn parse(s: &str) -> Option<Value> {
        let (ty, bits) = s.split_once(':')?;
        Some(Value { ty: Ty::parse(ty)?, bits: u64::from_str_radix(bits, 16).ok()? })
    }
}

impl std::fmt::Display for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{:x}", self.ty.name(), self.bits)
    }
}

/// An export name as a single token (`x` and its UTF-8 bytes in hex, so
/// the empty name is a token too).
pub fn hex_name(name: &str) -> String {
    name.bytes().fold(String::from("x"), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

pub struct Call {
    pub export: String,
    pub results: Vec<Ty>,
    pub args: Vec<Value>,
}

pub enum StateItem {
    Memory(String),
    Global(String),
}

/// What to do with an instance: calls in order, then the state to report.
#[derive(Default)]
pub struct Plan {
    pub calls: Vec<Call>,
    pub state: Vec<StateItem>,
}

impl Plan {
    /// The oracle's request for module file `path`.
    pub fn request(&self, path: &str) -> String {
        let mut s = format!("run {path} {}\n", self.calls.len());
        for c in &self.calls {
            let results: Vec<&str> = c.results.iter().map(|t| t.name()).collect();
            let results = if results.is_empty() { "-".to_string() } else { results.join(",") };
            let _ = write!(s, "call {} {results}", hex_name(&c.export));
            for a in &c.args {
                let _ = write!(s, " {a}");
            }
            s.push('\n');
        }
        s.push_str("state");
        for item in &self.state {
            let _ = match item {
                StateItem::Memory(n) => write!(s, " memory:{}", hex_name(n)),
                StateItem::Global(n) => write!(s, " global:{}", hex_name(n)),
            };
        }
        s.push('\n');
        s
    }
}

#[derive(Clone, Debug)]
pub enum Event {
    Invalid(String),
    Unsupported(String),
    Instantiated,
    Returned(Vec<Value>),
    Trap(String),
    Error(String),
    Memory { name: String, len: u64, digest: String },
    Global { name: String, value: Value },
}

impl Event {
    /// Parses one line of the format above; `instantiate` lines become the
    /// instantiation event or its trap/error.
    pub fn parse(line: &str) -> Option<Event> {
        let (word, rest) = line.split_once(' ').unwrap_or((line, ""));
        Some(match word {
            "invalid" => Event::Invalid(rest.to_string()),
            "unsupported" => Event::Unsupported(rest.to_string()),
            "instantiate" if rest == "ok" => Event::Instantiated,
            "instantiate" => return Event::parse(rest),
            "ok" => Event::Returned(rest.split_whitespace().map(Value::parse).collect::<Option<_>>()?),
            "trap" => Event::Trap(rest.to_string()),
            "error" => Event::Error(rest.to_string()),
            "memory" => {
                let mut w = rest.split_whitespace();
                let name = w.next()?.to_string();
                let len = w.next()?.parse().ok()?;
                Event::Memory { name, len, digest: w.next()?.to_string() }
            }
            "global" => {
                let (name, value) = rest.split_once(' ')?;
                Event::Global { name: name.to_string(), value: Value::parse(value)? }
            }
            _ => return None,
        })
    }
}

impl std::fmt::Display for Event {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Event::Invalid(m) => write!(f, "invalid {m}"),
            Event::Unsupported(m) => write!(f, "unsupported {m}"),
            Event::Instantiated => write!(f, "instantiate ok"),
            Event::Returned(vs) => {
                write!(f, "ok")?;
                vs.iter().try_for_each(|v| write!(f, " {v}"))
            }
            Event::Trap(c) => write!(f, "trap {c}"),
            Event::Error(m) => write!(f, "error {m}"),
            Event::Memory { name, len, digest } => write!(f, "memory {name} {len} {digest}"),
            Event::Global { name, value } => write!(f, "global {name} {value}"),
        }
    }
}

/// How the two runs of a module compare.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Every event the same. `calls` calls compared, `traps` of them trapped.
    Same { calls: usize, traps: usize },
    /// Both engines refused the module as invalid.
    BothInvalid,
    /// They differ for a documented reason that is not a wasmc defect;
    /// the events after the difference are not compared.
    Explained(&'static str),
    /// A difference nobody has explained: a bug in one of the engines.
    Mismatch(String),
}

impl Verdict {
    /// One word for the summary.
    pub fn kind(&self) -> String {
        match self {
            Verdict::Same { .. } => "same".into(),
            Verdict::BothInvalid => "both-invalid".into(),
            Verdict::Explained(why) => format!("explained:{why}"),
            Verdict::Mismatch(_) => "mismatch".into(),
        }
    }
}

/// Why a difference at one event is not a defect, if it is one of the
/// known ones: the engines' stack limits differ (8 MiB of native stack for
/// wasmc, a 1 MiB `max_wasm_stack` for the oracle, which may not exceed
/// its async stack), and so do the limits of host resources (GC heap,
/// table and memory reservations) and the size of a GC object: a
/// reference is 8 bytes in wasmc's heap and 4 in Wasmtime's, whose heap
/// holds at most 4 GiB, so an array of a billion references is "too
/// large" for one engine and not the other.
fn explain(wasmc: &Event, oracle: &Event) -> Option<&'static str> {
    let stack = |e: &Event| matches!(e, Event::Trap(c) if c == "STACK_OVERFLOW");
    let resource = |e: &Event| match e {
        Event::Trap(c) => c == "OUT_OF_MEMORY" || c == "ALLOCATION_TOO_LARGE",
        Event::Error(m) => ["resource", "memory", "out of", "limit", "exceed"].iter().any(|k| m.contains(k)),
        _ => false,
    };
    if stack(wasmc) || stack(oracle) {
        Some("stack-limit")
    } else if resource(wasmc) || resource(oracle) {
        Some("resource-limit")
    } else {
        None
    }
}

/// Compares wasmc's events with the oracle's.
pub fn compare(wasmc: &[Event], oracle: &[Event]) -> Verdict {
    use Event::*;
    if let (Some(Invalid(_)), Some(Invalid(_))) = (wasmc.first(), oracle.first()) {
        return Verdict::BothInvalid;
    }
    let (mut calls, mut traps) = (0, 0);
    for (i, (w, o)) in wasmc.iter().zip(oracle).enumerate() {
        let same = match (w, o) {
            (Instantiated, Instantiated) => true,
            (Returned(a), Returned(b)) => a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.same(y)),
            (Trap(a), Trap(b)) => a == b,
            (Memory { name: n1, len: l1, digest: d1 }, Memory { name: n2, len: l2, digest: d2 }) => {
                n1 == n2 && l1 == l2 && d1 == d2
            }
            (Global { name: n1, value: v1 }, Global { name: n2, value: v2 }) => n1 == n2 && v1.same(v2),
            _ => false,
        };
        if !same {
            if let Some(why) = explain(w, o) {
                return Verdict::Explained(why);
            }
            return Verdict::Mismatch(format!("event {i}: wasmc `{w}`, oracle `{o}`"));
        }
        if matches!(w, Returned(_) | Trap(_)) {
            calls += 1;
            traps += matches!(w, Trap(_)) as usize;
        }
    }
    if wasmc.len() != oracle.len() {
        return Verdict::Mismatch(format!("wasmc had {} events, the oracle {}", wasmc.len(), oracle.len()));
    }
    Verdict::Same { calls, traps }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(lines: &[&str]) -> Vec<Event> {
        lines.iter().map(|l| Event::parse(l).unwrap_or_else(|| panic!("parses: {l}"))).collect()
    }

    #[test]
    fn lines_round_trip() {
        for l in [
            "instantiate ok",
            "ok i32:ff f64:7ff8000000000000",
            "ok",
            "trap UNREACHABLE",
            "memory x6d 65536 ab12",
            "global x67 i64:1",
        ] {
            assert_eq!(Event::parse(l).unwrap().to_string(), l);
        }
        assert!(matches!(Event::parse("instantiate trap UNREACHABLE"), Some(Event::Trap(_))));
    }

    #[test]
    fn equal_runs_are_the_same_and_count_calls_and_traps() {
        let a = events(&["instantiate ok", "ok i32:1", "trap UNREACHABLE", "memory x6d 0 e3b0"]);
        let b = events(&["instantiate ok", "ok i32:1", "trap UNREACHABLE", "memory x6d 0 e3b0"]);
        assert_eq!(compare(&a, &b), Verdict::Same { calls: 2, traps: 1 });
    }

    #[test]
    fn nans_compare_equal_whatever_their_payload() {
        let a = events(&["instantiate ok", "ok f32:7fc00000"]);
        let b = events(&["instantiate ok", "ok f32:ffc00001"]);
        assert!(matches!(compare(&a, &b), Verdict::Same { .. }));
        let c = events(&["instantiate ok", "ok f32:7f800000"]);
        assert!(matches!(compare(&a, &c), Verdict::Mismatch(_)));
    }

    #[test]
    fn differences_are_mismatches_unless_a_limit_explains_them() {
        let a = events(&["instantiate ok", "ok i32:1"]);
        let b = events(&["instantiate ok", "ok i32:2"]);
        assert!(matches!(compare(&a, &b), Verdict::Mismatch(_)));
        let t = events(&["instantiate ok", "trap INTEGER_OVERFLOW"]);
        assert!(matches!(compare(&a, &t), Verdict::Mismatch(_)));
        let s = events(&["instantiate ok", "trap STACK_OVERFLOW"]);
        assert_eq!(compare(&a, &s), Verdict::Explained("stack-limit"));
        let big = events(&["trap ALLOCATION_TOO_LARGE"]);
        assert_eq!(compare(&a, &big), Verdict::Explained("resource-limit"));
        let short = events(&["instantiate ok"]);
        assert!(matches!(compare(&a, &short), Verdict::Mismatch(_)));
        let inv = events(&["invalid bad"]);
        assert_eq!(compare(&inv, &inv), Verdict::BothInvalid);
        assert!(matches!(compare(&inv, &a), Verdict::Mismatch(_)));
    }
}
