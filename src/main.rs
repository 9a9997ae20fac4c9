//! Entry point: install the panic overlay, then open the page (see [`statelab::ui::start`]).

fn main() {
    statelab::panic::install();
    statelab::ui::start();
}
