//! The pinned tools agree with each other: Trunk must use the wasm-bindgen that Cargo.lock has.

fn lock_version(lock: &str, name: &str) -> Option<String> {
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == format!("name = \"{name}\"") {
            return lines.next()?.strip_prefix("version = \"")?.strip_suffix('"').map(String::from);
        }
    }
    None
}

#[test]
fn trunk_pins_the_wasm_bindgen_version_of_cargo_lock() {
    let root = env!("CARGO_MANIFEST_DIR");
    let lock = std::fs::read_to_string(format!("{root}/Cargo.lock")).expect("Cargo.lock");
    let trunk = std::fs::read_to_string(format!("{root}/Trunk.toml")).expect("Trunk.toml");
    let locked = lock_version(&lock, "wasm-bindgen").expect("wasm-bindgen in Cargo.lock");
    let pinned = trunk
        .lines()
        .find_map(|l| l.trim().strip_prefix("wasm_bindgen = \"")?.strip_suffix('"'))
        .expect("[tools] wasm_bindgen in Trunk.toml");
    assert_eq!(pinned, locked, "Trunk.toml's wasm_bindgen must equal Cargo.lock's wasm-bindgen");
    assert!(trunk.contains("wasm_opt = \"version_132\""), "wasm-opt is pinned to binaryen 132");
}
