use sxcascade::*;
fn main() {
    let cases = [
        ("b45", reference::binary(1.5, 0.75, 24, 21, 1.7086, 2.4142)),
        ("prnd", reference::prnd_design()),
        ("kremser", reference::kremser(1.5, 60)),
        ("close", reference::binary(1.05, 0.5, 250, 250, 50.5, 100.0)),
        ("15x100", reference::fifteen_element_cut(100)),
        ("15x500", reference::fifteen_element_cut(500)),
    ];
    for (n, c) in cases {
        let s = c
            .cascade
            .solve(&c.model, &c.feed, &SolverOptions::default())
            .unwrap();
        println!("{n}: {:?}", s.convergence);
    }
}
