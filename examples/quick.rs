use sxcascade::*;
fn main() {
    let c = reference::fifteen_element_cut(200);
    let s = c
        .cascade
        .solve(&c.model, &c.feed, &SolverOptions::default())
        .unwrap();
    let light = [Element::La, Element::Ce, Element::Pr, Element::Nd];
    let heavy: Vec<Element> = Element::ALL[4..].to_vec();
    println!(
        "raff light mol {:.4} extract heavy mol {:.4} {:?}",
        s.raffinate.purity_mol_pct(&light),
        s.extract.purity_mol_pct(&heavy),
        s.convergence
    );
}
