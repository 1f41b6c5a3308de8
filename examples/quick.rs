use sxcascade::*;
fn main() {
    for n in [100, 200, 500] {
        let c = reference::fifteen_element_cut(n);
        let t = std::time::Instant::now();
        let r = c.cascade.solve(&c.model, &c.feed, &SolverOptions::default());
        let el = t.elapsed();
        match r { Ok(s) => println!("{n}: {:?} {:?} {:?} Gd in extract {:.3e} Tb in raff {:.3e}", el, s.convergence, s.mass_balance, s.extract.mol_per_h(Element::Gd), s.raffinate.mol_per_h(Element::Tb)), Err(e) => println!("{n}: {e}") }
    }
    let c = reference::prnd_design();
    let t = std::time::Instant::now();
    let s = c.cascade.solve(&c.model, &c.feed, &SolverOptions::default()).unwrap();
    println!("prnd {:?} {:?}", t.elapsed(), s.convergence);
}
