//! Running a script's directives in order and counting their outcomes.

use super::imports::import_modules;
use super::modules::{fail, Exports, Inst, InstError, Modules, Rejection, Slot, Stop};
use super::values::{self, check_results, format_vals, trap_message_matches};
use super::{panic_message, spectest, FileReport, RunOptions};
use crate::loader::Loader;
use std::collections::HashMap;
use std::path::Path;
use wasmc_rt::{CallError, Extern, Module, Val};
use wast::parser::ParseBuffer;
use wast::token::Id;
use wast::{QuoteWat, Wast, WastDirective, WastExecute, WastInvoke};

/// How one directive counts.
enum Outcome {
    Pass,
    Fail(String),
    Unsupported(String),
    /// A module, register or invoke command that worked: not counted.
    Quiet,
}

impl Outcome {
    /// The outcome of a command that is only counted when it does not work.
    fn quiet<T>(r: Result<T, Stop>) -> Outcome {
        match r {
            Ok(_) => Outcome::Quiet,
            Err(s) => Outcome::stopped(s),
        }
    }
    fn stopped(s: Stop) -> Outcome {
        match s {
            Stop::Unsupported(f) => Outcome::Unsupported(f),
            Stop::Fail(m) => Outcome::Fail(m),
        }
    }
}

/// What running an invoke, get or module gave.
type Exec = Result<Vec<Val>, String>;

/// How the message of an uncaught exception starts (`wasmc_rt::Error`);
/// no trap message does.
const UNCAUGHT: &str = "uncaught exception";

struct Script<'a> {
    modules: Modules<'a>,
    /// The most recent instance (the target of commands naming none).
    current: Option<Slot<Inst>>,
    named: HashMap<String, Slot<Inst>>,
    definitions: HashMap<String, Definition>,
    last_definition: Option<Definition>,
}

/// A `module definition`, with the modules it imports from (to taint them
/// when it is refused as unsupported and instantiated).
#[derive(Clone)]
struct Definition {
    module: Slot<Module>,
    imports: Option<Vec<String>>,
}

/// Parses and runs a script; called on the big-stack thread.
pub fn run_text(path: &Path, text: &str, loader: &Loader, opts: &RunOptions) -> anyhow::Result<FileReport> {
    let unfolded = super::legacy_try::unfold(text);
    let text = unfolded.as_deref().unwrap_or(text);
    let mut report = FileReport { path: path.to_path_buf(), ..Default::default() };
    let record_parse_error = |report: &mut FileReport, e: wast::Error| {
        let (line, col) = e.span().linecol_in(text);
        report.failed += 1;
        report.failures.push(format!(
            "{}:{}:{}: cannot parse the script: {}",
            path.display(),
            line + 1,
            col + 1,
            e.message()
        ));
    };
    // Scripts such as names.wast use bidirectional-override characters in
    // strings on purpose.
    let mut lexer = wast::lexer::Lexer::new(text);
    lexer.allow_confusing_unicode(true);
    let buf = match ParseBuffer::new_with_lexer(lexer) {
        Ok(b) => b,
        Err(e) => {
            record_parse_error(&mut report, e);
            return Ok(report);
        }
    };
    let wast = match wast::parser::parse::<Wast>(&buf) {
        Ok(w) => w,
        Err(e) => {
            record_parse_error(&mut report, e);
            return Ok(report);
        }
    };
    let spectest = spectest::exports(opts.print).map_err(|e| anyhow::anyhow!("creating the spectest module: {e}"))?;
    let mut script = Script {
        modules: Modules::new(loader, spectest, opts.heap.clone()),
        current: None,
        named: HashMap::new(),
        definitions: HashMap::new(),
        last_definition: None,
    };
    for directive in wast.directives {
        let span = directive.span();
        let what = describe(&directive);
        // If a command defining an instance panics, later commands on that
        // instance must not run against the previous one.
        let defines = match &directive {
            WastDirective::Module(q) => Some(q.name().map(|id| id.name().to_string())),
            WastDirective::ModuleInstance { instance, .. } => Some(instance.map(|id| id.name().to_string())),
            _ => None,
        };
        script.modules.used_taint.replace(None);
        let mut outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| script.directive(directive)))
            .unwrap_or_else(|p| {
                let msg = format!("the engine panicked: {}", panic_message(&*p));
                if let Some(name) = defines {
                    script.set_current(name, Slot::Failed(msg.clone()));
                }
                Outcome::Fail(msg)
            });
        // A failure on an instance that a refused module would have
        // changed is a consequence of that module being unsupported.
        if let (Outcome::Fail(_), Some(feature)) = (&outcome, script.modules.used_taint.take()) {
            outcome = Outcome::Unsupported(feature);
        }
        match outcome {
            Outcome::Quiet => {}
            Outcome::Pass => report.passed += 1,
            Outcome::Unsupported(feature) => {
                if opts.trace_unsupported {
                    let (line, col) = span.linecol_in(text);
                    eprintln!("{}:{}:{}: {what}: unsupported: {feature}", path.display(), line + 1, col + 1);
                }
                report.unsupported += 1;
                *report.unsupported_by_feature.entry(feature).or_default() += 1;
            }
            Outcome::Fail(msg) => {
                let (line, col) = span.linecol_in(text);
                report.failed += 1;
                report.failures.push(format!(
                    "{}:{}:{}: {what}: {}",
                    path.display(),
                    line + 1,
                    col + 1,
                    one_line(&msg)
                ));
            }
        }
    }
    Ok(report)
}

/// A short name for a directive in failure messages.
fn describe(d: &WastDirective<'_>) -> String {
    fn exec(e: &WastExecute<'_>) -> String {
        match e {
            WastExecute::Invoke(i) => format!("invoke \"{}\"", i.name),
            WastExecute::Get { global, .. } => format!("get \"{global}\""),
            WastExecute::Wat(_) => "module".into(),
        }
    }
    match d {
        WastDirective::Module(_) => "module".into(),
        WastDirective::ModuleDefinition(_) => "module definition".into(),
        WastDirective::ModuleInstance { .. } => "module instance".into(),
        WastDirective::Register { name, .. } => format!("register \"{name}\""),
        WastDirective::Invoke(i) => format!("invoke \"{}\"", i.name),
        WastDirective::AssertReturn { exec: e, .. } => format!("assert_return({})", exec(e)),
        WastDirective::AssertTrap { exec: e, .. } => format!("assert_trap({})", exec(e)),
        WastDirective::AssertExhaustion { call, .. } => {
            format!("assert_exhaustion(invoke \"{}\")", call.name)
        }
        WastDirective::AssertInvalid { .. } => "assert_invalid".into(),
        WastDirective::AssertMalformed { .. } => "assert_malformed".into(),
        WastDirective::AssertUnlinkable { .. } => "assert_unlinkable".into(),
        WastDirective::AssertException { exec: e, .. } => format!("assert_exception({})", exec(e)),
        WastDirective::AssertSuspension { exec: e, .. } => {
            format!("assert_suspension({})", exec(e))
        }
        WastDirective::AssertInvalidCustom { .. } => "assert_invalid_custom".into(),
        WastDirective::AssertMalformedCustom { .. } => "assert_malformed_custom".into(),
        WastDirective::Thread(_) => "thread".into(),
        WastDirective::Wait { .. } => "wait".into(),
    }
}

/// Folds a multi-line message onto one line and bounds its length.
fn one_line(msg: &str) -> String {
    let mut s = msg.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" / ");
    if s.len() > 600 {
        let mut end = 600;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
        s.push_str(" ...");
    }
    s
}

fn encode(q: &mut QuoteWat<'_>) -> Result<Vec<u8>, Stop> {
    q.encode().map_err(|e| Stop::Fail(format!("cannot encode the module: {}", e.message())))
}

impl Script<'_> {
    fn directive(&mut self, d: WastDirective<'_>) -> Outcome {
        match d {
            WastDirective::Module(mut q) => {
                let name = q.name().map(|id| id.name().to_string());
                let r = encode(&mut q)
                    .and_then(|w| self.modules.compile_to_instantiate(&w))
                    .and_then(|m| self.modules.instantiate(&m).map_err(InstError::into_stop));
                self.set_current(name, Slot::from_result(r.clone()));
                Outcome::quiet(r)
            }
            WastDirective::ModuleDefinition(mut q) => {
                let name = q.name().map(|id| id.name().to_string());
                let wasm = encode(&mut q);
                let imports = wasm.as_ref().ok().and_then(|w| import_modules(w));
                let r = wasm.and_then(|w| self.modules.compile(&w));
                let def = Definition { module: Slot::from_result(r.clone()), imports };
                if let Some(name) = name {
                    self.definitions.insert(name, def.clone());
                }
                self.last_definition = Some(def);
                Outcome::quiet(r)
            }
            WastDirective::ModuleInstance { instance, module, .. } => {
                let def = match module {
                    Some(id) => self.definitions.get(id.name()).cloned(),
                    None => self.last_definition.clone(),
                };
                let r = match def {
                    Some(def) => {
                        if let Slot::Unsupported(f) = &def.module {
                            self.modules.taint_importees(def.imports.as_deref(), f);
                        }
                        def.module
                            .get("the module definition")
                            .and_then(|m| self.modules.instantiate(&m).map_err(InstError::into_stop))
                    }
                    None => fail("unknown module definition"),
                };
                self.set_current(instance.map(|id| id.name().to_string()), Slot::from_result(r.clone()));
                Outcome::quiet(r)
            }
            WastDirective::Register { name, module, .. } => {
                let r = self.instance(module);
                let slot = Slot::from_result(r.clone().map(Exports::Instance));
                self.modules.registered.insert(name.to_string(), slot);
                Outcome::quiet(r)
            }
            WastDirective::Invoke(inv) => match self.invoke(&inv) {
                Ok(Ok(_)) => Outcome::Quiet,
                Ok(Err(trap)) => Outcome::Fail(format!("unexpected trap: {trap}")),
                Err(s) => Outcome::stopped(s),
            },
            WastDirective::AssertReturn { exec, results, .. } => match self.execute(exec) {
                Ok(Ok(vals)) => match check_results(&vals, &results) {
                    Ok(()) => Outcome::Pass,
                    Err(m) => Outcome::Fail(m),
                },
                Ok(Err(trap)) => Outcome::Fail(format!("unexpected trap: {trap}")),
                Err(s) => Outcome::stopped(s),
            },
            WastDirective::AssertTrap { exec, message, .. } => self.expect_trap(self.execute(exec), message),
            WastDirective::AssertExhaustion { call, message, .. } => self.expect_trap(self.invoke(&call), message),
            WastDirective::AssertInvalid { module, message, .. } => self.expect_rejected(module, "invalid", message),
            WastDirective::AssertMalformed { module, message, .. } => {
                self.expect_rejected(module, "malformed", message)
            }
            WastDirective::AssertUnlinkable { module, message, .. } => self.expect_unlinkable(module, message),
            WastDirective::AssertException { exec, .. } => match self.execute(exec) {
                Ok(Err(m)) if m.starts_with(UNCAUGHT) => Outcome::Pass,
                Err(s) => Outcome::stopped(s),
                Ok(r) => Outcome::Fail(format!(
                    "expected an exception, got {}",
                    match r {
                        Ok(v) => format_vals(&v),
                        Err(t) => format!("trap: {t}"),
                    }
                )),
            },
            WastDirective::AssertSuspension { exec, .. } => match self.execute(exec) {
                Err(s) => Outcome::stopped(s),
                Ok(_) => Outcome::Fail("stack switching assertions are not supported by the engine".into()),
            },
            WastDirective::AssertInvalidCustom { .. } | WastDirective::AssertMalformedCustom { .. } => {
                Outcome::Fail("custom-section assertions are not supported by the engine".into())
            }
            WastDirective::Thread(_) | WastDirective::Wait { .. } => {
                Outcome::Fail("threads in scripts are not supported by the engine".into())
            }
        }
    }

    fn set_current(&mut self, name: Option<String>, slot: Slot<Inst>) {
        if let Some(name) = name {
            self.named.insert(name, slot.clone());
        }
        self.current = Some(slot);
    }

    /// The instance a command names, or the current one.
    fn instance(&self, id: Option<Id<'_>>) -> Result<Inst, Stop> {
        let inst = match id {
            Some(id) => match self.named.get(id.name()) {
                Some(slot) => slot.get(&format!("module ${}", id.name())),
                None => fail(format!("unknown module ${}", id.name())),
            },
            None => match &self.current {
                Some(slot) => slot.get("the current module"),
                None => fail("no module has been defined"),
            },
        }?;
        self.modules.use_inst(&inst);
        Ok(inst)
    }

    fn invoke(&self, inv: &WastInvoke<'_>) -> Result<Exec, Stop> {
        let inst = self.instance(inv.module)?;
        let f = match inst.instance.export(inv.name) {
            Some(Extern::Func(f)) => f,
            Some(_) => return fail(format!("export \"{}\" is not a function", inv.name)),
            None => return fail(format!("unknown export \"{}\"", inv.name)),
        };
        let params = f.ty().params.clone();
        let args = inv
            .args
            .iter()
            .enumerate()
            .map(|(i, a)| values::arg(a, params.get(i).copied()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(Stop::Fail)?;
        match f.call(&args) {
            Ok(v) => Ok(Ok(v)),
            Err(CallError::Trap(e)) => {
                if let wasmc_rt::Error::Exception { exception, .. } = &e {
                    // Nothing reads the payload: let the store collect it.
                    self.modules.store.release(exception.root);
                }
                Ok(Err(e.message()))
            }
            Err(e @ CallError::BadArguments) => fail(format!("cannot call \"{}\": {e}", inv.name)),
        }
    }

    fn execute(&self, exec: WastExecute<'_>) -> Result<Exec, Stop> {
        match exec {
            WastExecute::Invoke(inv) => self.invoke(&inv),
            WastExecute::Get { module, global, .. } => {
                let inst = self.instance(module)?;
                match inst.instance.export(global) {
                    Some(Extern::Global(g)) => Ok(Ok(vec![g.get()])),
                    Some(_) => fail(format!("export \"{global}\" is not a global")),
                    None => fail(format!("unknown export \"{global}\"")),
                }
            }
            WastExecute::Wat(w) => {
                let m = encode(&mut QuoteWat::Wat(w)).and_then(|b| self.modules.compile_to_instantiate(&b))?;
                match self.modules.instantiate(&m) {
                    Ok(_) => Ok(Ok(Vec::new())),
                    Err(InstError::Trap(t)) => Ok(Err(t)),
                    Err(e) => Err(e.into_stop()),
                }
            }
        }
    }

    fn expect_trap(&self, r: Result<Exec, Stop>, expected: &str) -> Outcome {
        match r {
            Ok(Err(trap)) if trap_message_matches(&trap, expected) => Outcome::Pass,
            Ok(Err(trap)) => Outcome::Fail(format!("expected trap \"{expected}\", got trap \"{trap}\"")),
            Ok(Ok(v)) => Outcome::Fail(format!("expected trap \"{expected}\", got {}", format_vals(&v))),
            Err(s) => Outcome::stopped(s),
        }
    }

    /// `assert_invalid` and `assert_malformed`: any compile error of kind
    /// invalid passes; so does text that cannot even be parsed or encoded.
    fn expect_rejected(&self, mut q: QuoteWat<'_>, what: &str, message: &str) -> Outcome {
        let bytes = match q.encode() {
            Ok(b) => b,
            Err(_) => return Outcome::Pass,
        };
        match self.modules.compile_rejected(&bytes) {
            Ok(Rejection::Invalid) => Outcome::Pass,
            Ok(Rejection::Accepted) => Outcome::Fail(format!("the module compiled but is {what}: \"{message}\"")),
            Err(s) => Outcome::stopped(s),
        }
    }

    fn expect_unlinkable(&self, w: wast::Wat<'_>, message: &str) -> Outcome {
        let m = match encode(&mut QuoteWat::Wat(w)).and_then(|b| self.modules.compile(&b)) {
            Ok(m) => m,
            Err(s) => return Outcome::stopped(s),
        };
        match self.modules.instantiate(&m) {
            Err(InstError::Link(_)) => Outcome::Pass,
            Ok(_) => Outcome::Fail(format!("the module linked, expected \"{message}\"")),
            Err(InstError::Trap(t)) => Outcome::Fail(format!("expected link error \"{message}\", got trap \"{t}\"")),
            Err(e) => Outcome::stopped(e.into_stop()),
        }
    }
}
