//! The script's modules: compiling them with the real compiler, resolving
//! their imports against registered instances and `spectest`, and
//! instantiating them.
//!
//! A module the compiler refuses as unsupported is remembered as such, so
//! every later command that needs it (an invoke, a module importing from
//! it) is counted as unsupported with the same feature instead of failing.
//! Instances such a module imports from are *tainted* with the feature:
//! its segments or start function would have changed them, so a later
//! command on them that fails is counted as unsupported too.

use super::imports::import_modules;
use crate::loader::{LoadError, Loader};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use wasmc_compiler::ErrorKind;
use wasmc_rt::{Extern, Instance, InstantiateError, Module, Store};

/// Why a command could not be carried out.
#[derive(Debug, Clone)]
pub enum Stop {
    /// The command needs a module the compiler refused as unsupported.
    Unsupported(String),
    /// Anything else: counted as a failure with this message.
    Fail(String),
}

pub fn fail<T>(msg: impl Into<String>) -> Result<T, Stop> {
    Err(Stop::Fail(msg.into()))
}

/// A module, instance or registration the script refers to, remembering
/// why it is missing when it is.
#[derive(Clone)]
pub enum Slot<T> {
    Ready(T),
    Unsupported(String),
    Failed(String),
}

impl<T: Clone> Slot<T> {
    pub fn from_result(r: Result<T, Stop>) -> Slot<T> {
        match r {
            Ok(v) => Slot::Ready(v),
            Err(Stop::Unsupported(f)) => Slot::Unsupported(f),
            Err(Stop::Fail(m)) => Slot::Failed(m),
        }
    }

    /// The value, or the reason a command using it cannot run.
    pub fn get(&self, what: &str) -> Result<T, Stop> {
        match self {
            Slot::Ready(v) => Ok(v.clone()),
            Slot::Unsupported(f) => Err(Stop::Unsupported(f.clone())),
            Slot::Failed(m) => fail(format!("{what} is unavailable because it failed earlier: {m}")),
        }
    }
}

/// An instance of the script with its taint: the unsupported feature of a
/// refused module that would have changed it. Clones share the taint.
#[derive(Clone)]
pub struct Inst {
    pub instance: Instance,
    taint: Rc<RefCell<Option<String>>>,
}

impl Inst {
    pub fn taint(&self) -> Option<String> {
        self.taint.borrow().clone()
    }
    fn set_taint(&self, feature: &str) {
        self.taint.borrow_mut().get_or_insert_with(|| feature.to_string());
    }
}

/// What a registered name resolves imports against.
#[derive(Clone)]
pub enum Exports {
    Instance(Inst),
    Host(std::rc::Rc<HashMap<String, Extern>>),
}

impl Exports {
    fn get(&self, name: &str) -> Option<Extern> {
        match self {
            Exports::Instance(i) => i.instance.export(name),
            Exports::Host(m) => m.get(name).cloned(),
        }
    }
}

/// Why instantiating a compiled module failed.
pub enum InstError {
    /// A dependency is unsupported or failed.
    Stop(Stop),
    /// Unlinkable: a missing import or one of the wrong type.
    Link(String),
    /// Uninstantiable: a segment or the start function trapped.
    Trap(String),
    /// Out of resources.
    Resource(String),
}

impl InstError {
    /// As a failure of a command that expected the instantiation to work.
    pub fn into_stop(self) -> Stop {
        match self {
            InstError::Stop(s) => s,
            InstError::Link(m) => Stop::Fail(format!("unexpected link error: {m}")),
            InstError::Trap(m) => Stop::Fail(format!("unexpected trap during instantiation: {m}")),
            InstError::Resource(m) => Stop::Fail(format!("instantiation ran out of resources: {m}")),
        }
    }
}

/// The compile-time outcome of a module that should be rejected.
pub enum Rejection {
    /// Refused as invalid or malformed.
    Invalid,
    /// Compiled: the module was accepted.
    Accepted,
}

/// The modules, instances and registrations of one script.
pub struct Modules<'l> {
    pub loader: &'l Loader,
    pub store: Store,
    pub registered: HashMap<String, Slot<Exports>>,
    /// The taint of the instances the current directive used, if any.
    pub used_taint: RefCell<Option<String>>,
}

impl<'l> Modules<'l> {
    pub fn new(loader: &'l Loader, spectest: HashMap<String, Extern>, heap: Option<wasmc_rt::gc::HeapConfig>) -> Self {
        let store = match heap {
            Some(h) => Store::with_heap(h),
            None => Store::new(),
        };
        let mut registered = HashMap::new();
        registered.insert("spectest".to_string(), Slot::Ready(Exports::Host(std::rc::Rc::new(spectest))));
        Modules { loader, store, registered, used_taint: RefCell::new(None) }
    }

    /// Notes that the current directive used `inst`.
    pub fn use_inst(&self, inst: &Inst) {
        if let Some(t) = inst.taint() {
            self.used_taint.borrow_mut().get_or_insert(t);
        }
    }

    /// Compiles a module the script is about to instantiate; when it is
    /// refused as unsupported, taints the instances it imports from.
    pub fn compile_to_instantiate(&self, wasm: &[u8]) -> Result<Module, Stop> {
        self.compile(wasm).inspect_err(|e| {
            if let Stop::Unsupported(f) = e {
                self.taint_importees(import_modules(wasm).as_deref(), f);
            }
        })
    }

    /// Taints the registered instances named in `modules` (all of them
    /// when the import list is unknown).
    pub fn taint_importees(&self, modules: Option<&[String]>, feature: &str) {
        for (name, slot) in &self.registered {
            if let Slot::Ready(Exports::Instance(inst)) = slot {
                if modules.is_none_or(|m| m.iter().any(|n| n == name)) {
                    inst.set_taint(feature);
                }
            }
        }
    }

    /// Compiles and loads a module the script expects to be valid.
    pub fn compile(&self, wasm: &[u8]) -> Result<Module, Stop> {
        match self.loader.load(wasm) {
            Ok(m) => Ok(m),
            Err(LoadError::Compile(e)) => match e.feature() {
                Some(f) => Err(Stop::Unsupported(f.to_string())),
                None => fail(format!("compiling the module failed: {e}")),
            },
            Err(LoadError::Other(e)) => fail(format!("loading the module failed: {e:#}")),
        }
    }

    /// Compiles (without linking) a module the script expects to be
    /// rejected.
    pub fn compile_rejected(&self, wasm: &[u8]) -> Result<Rejection, Stop> {
        match wasmc_compiler::compile(wasm, &self.loader.opts) {
            Ok(_) => Ok(Rejection::Accepted),
            Err(e) => match &e.kind {
                ErrorKind::Invalid => Ok(Rejection::Invalid),
                ErrorKind::Unsupported { feature, .. } => Err(Stop::Unsupported(feature.to_string())),
                ErrorKind::Internal => fail(format!("the compiler failed instead of rejecting the module: {e}")),
            },
        }
    }

    /// Resolves the imports of `module` and instantiates it.
    pub fn instantiate(&self, module: &Module) -> Result<Inst, InstError> {
        let mut imports = Vec::new();
        let taint = Rc::new(RefCell::new(None));
        for (m, name, _kind) in module.imports() {
            let exports = match self.registered.get(m) {
                Some(slot) => slot.get(&format!("registered module \"{m}\"")).map_err(InstError::Stop)?,
                None => return Err(InstError::Link(format!("unknown import: module \"{m}\" is not registered"))),
            };
            if let Exports::Instance(inst) = &exports {
                self.use_inst(inst);
                if let Some(t) = inst.taint() {
                    taint.borrow_mut().get_or_insert(t);
                }
            }
            match exports.get(name) {
                Some(e) => imports.push(e),
                None => return Err(InstError::Link(format!("unknown import: \"{m}\" \"{name}\""))),
            }
        }
        match Instance::new(&self.store, module, &imports) {
            Ok(instance) => Ok(Inst { instance, taint }),
            Err(InstantiateError::Link(m)) => Err(InstError::Link(m)),
            Err(InstantiateError::Trap(t)) => Err(InstError::Trap(t.message())),
            Err(InstantiateError::Resource(m)) => Err(InstError::Resource(m)),
        }
    }
}
