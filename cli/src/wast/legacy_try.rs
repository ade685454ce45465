//! The folded text form of the legacy exception instructions, `(try
//! (do ...) (catch $e ...) (catch_all ...))` and `(try (do ...) (delegate
//! $l))`, which the testsuite's `legacy/exceptions` scripts use and the
//! `wast` crate no longer parses. Rewritten to the flat form it still
//! parses (`try ... catch $e ... catch_all ... end`, `try ... delegate
//! $l`), keeping every line where it was so reports point at the script.

#[derive(Clone, Copy, PartialEq)]
enum Open {
    Try {
        delegated: bool,
    },
    /// `(do`, `(catch`, `(catch_all` or `(delegate` of a folded `try`.
    Clause,
    Other,
}

/// The script with folded legacy `try`s flattened; `None` if it has none.
pub fn unfold(text: &str) -> Option<String> {
    if !text.contains("(try ") && !text.contains("(try\n") && !text.contains("(try$") {
        return None;
    }
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len() + 64);
    let mut stack: Vec<Open> = Vec::new();
    let mut i = 0;
    let mut changed = false;
    while i < bytes.len() {
        let c = bytes[i];
        // Strings and comments pass through untouched.
        if c == b'"' {
            let start = i;
            i += 1;
            while i < bytes.len() && bytes[i] != b'"' {
                i += if bytes[i] == b'\\' { 2 } else { 1 };
            }
            i = (i + 1).min(bytes.len());
            out.push_str(&text[start..i]);
            continue;
        }
        if text[i..].starts_with(";;") {
            let end = text[i..].find('\n').map_or(bytes.len(), |n| i + n);
            out.push_str(&text[i..end]);
            i = end;
            continue;
        }
        if text[i..].starts_with("(;") {
            let end = text[i..].find(";)").map_or(bytes.len(), |n| i + n + 2);
            out.push_str(&text[i..end]);
            i = end;
            continue;
        }
        match c {
            b'(' => {
                let word = keyword(&text[i + 1..]);
                let in_try = matches!(stack.last(), Some(Open::Try { .. }));
                let open = match word {
                    "try" => Open::Try { delegated: false },
                    "do" | "catch" | "catch_all" if in_try => Open::Clause,
                    "delegate" if in_try => {
                        if let Some(Open::Try { delegated }) = stack.last_mut() {
                            *delegated = true;
                        }
                        Open::Clause
                    }
                    _ => Open::Other,
                };
                if open == Open::Other {
                    out.push('(');
                } else {
                    changed = true;
                    out.push(' ');
                    if word == "do" {
                        // `do` has no flat spelling: the body just follows.
                        out.push_str("  ");
                        i += 2;
                    }
                }
                stack.push(open);
                i += 1;
            }
            b')' => {
                match stack.pop() {
                    Some(Open::Try { delegated: false }) => out.push_str("end"),
                    Some(Open::Try { delegated: true }) | Some(Open::Clause) => out.push(' '),
                    _ => out.push(')'),
                }
                i += 1;
            }
            _ => {
                let len = text[i..].chars().next().map_or(1, char::len_utf8);
                out.push_str(&text[i..i + len]);
                i += len;
            }
        }
    }
    changed.then_some(out)
}

/// The keyword at the start of `s` (up to a space, paren or `$`).
fn keyword(s: &str) -> &str {
    let end = s.find(|c: char| c.is_whitespace() || c == '(' || c == ')' || c == '$').unwrap_or(s.len());
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::unfold;

    #[test]
    fn flattens_catch_and_delegate_and_keeps_lines() {
        let src =
            "(func (try (result i32)\n (do (i32.const 1))\n (catch $e (i32.const 2))\n (catch_all (i32.const 3))))";
        let out = unfold(src).unwrap();
        assert_eq!(out.lines().count(), src.lines().count());
        let words: Vec<&str> = out.split_whitespace().collect();
        assert_eq!(
            words.join(" "),
            "(func try (result i32) (i32.const 1) catch $e (i32.const 2) catch_all (i32.const 3) end)"
        );
        let d = unfold("(try $t (do (try (do) (delegate $t))) (catch_all))").unwrap();
        assert_eq!(d.split_whitespace().collect::<Vec<_>>().join(" "), "try $t try delegate $t catch_all end");
        // try_table clauses, strings and comments are left alone.
        assert_eq!(unfold("(try_table (catch $e 0))"), None);
        let s = "(try (do (call $f \"(catch\")) ;; (catch\n (catch_all))";
        assert!(unfold(s).unwrap().contains("\"(catch\""));
    }
}
