//! The `spectest` host module every script may import from: print
//! functions, four immutable globals, a table and a memory, as the
//! reference interpreter defines them.

use std::collections::HashMap;
use std::sync::Arc;
use wasmc_abi::descriptor::{TY_F32, TY_F64, TY_FUNCREF, TY_I32, TY_I64};
use wasmc_rt::{Extern, Func, FuncType, Global, HostTrap, Memory, Table, Val, ValRaw};

/// The exports of a fresh `spectest` instance.
pub fn exports(print: bool) -> Result<HashMap<String, Extern>, String> {
    let mut m = HashMap::new();
    let funcs: [(&str, &[u8]); 7] = [
        ("print", &[]),
        ("print_i32", &[TY_I32]),
        ("print_i64", &[TY_I64]),
        ("print_f32", &[TY_F32]),
        ("print_f64", &[TY_F64]),
        ("print_i32_f32", &[TY_I32, TY_F32]),
        ("print_f64_f64", &[TY_F64, TY_F64]),
    ];
    for (name, params) in funcs {
        let tys: Vec<u8> = params.to_vec();
        let body = Arc::new(move |_caller: &mut wasmc_rt::Caller<'_>, slots: &mut [ValRaw]| -> Result<(), HostTrap> {
            if print {
                for (ty, raw) in tys.iter().zip(slots.iter()) {
                    println!("{}", format_printed(Val::from_raw(*ty, *raw)));
                }
            }
            Ok(())
        });
        m.insert(name.to_string(), Extern::Func(Func::host(FuncType::new(params, &[]), body)));
    }
    let globals = [
        ("global_i32", Val::I32(666)),
        ("global_i64", Val::I64(666)),
        ("global_f32", Val::F32(666.6f32.to_bits())),
        ("global_f64", Val::F64(666.6f64.to_bits())),
    ];
    for (name, v) in globals {
        m.insert(name.to_string(), Extern::Global(Global::new(v, false)?));
    }
    m.insert("table".to_string(), Extern::Table(Table::new(TY_FUNCREF, 10, Some(20))?));
    m.insert("memory".to_string(), Extern::Memory(Memory::new(1, Some(2))?));
    Ok(m)
}

/// `value : type`, the reference interpreter's format.
fn format_printed(v: Val) -> String {
    match v {
        Val::I32(x) => format!("{x} : i32"),
        Val::I64(x) => format!("{x} : i64"),
        Val::F32(b) => format!("{} : f32", f32::from_bits(b)),
        Val::F64(b) => format!("{} : f64", f64::from_bits(b)),
        other => format!("{other:?}"),
    }
}
