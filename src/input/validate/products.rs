//! Product specifications.

use std::collections::BTreeSet;

use toml::Spanned;

use super::Validator;
use super::network::RawUnit;
use crate::elements::Element;
use crate::flowsheet::ProductSpec;
use crate::input::raw::RawFlowsheet;
use crate::input::suggest::did_you_mean;

impl Validator {
    /// The products, each naming a stream that is a feed or some unit's outlet.
    pub(super) fn products(
        &mut self,
        flowsheet: &RawFlowsheet,
        units: &[RawUnit<'_>],
    ) -> Option<Vec<ProductSpec>> {
        let raw = &flowsheet.products;
        let declared: BTreeSet<&str> = flowsheet
            .streams
            .keys()
            .map(String::as_str)
            .chain(units.iter().flat_map(|u| u.outlets.iter().map(|(s, _)| *s)))
            .collect();
        let mut out = Vec::new();
        let mut ok = true;
        let mut names = BTreeSet::new();
        for p in raw {
            let p = p.get_ref();
            let name = p.name.get_ref();
            if !names.insert(name.clone()) {
                self.error(p.name.span(), format!("duplicate product name `{name}`"));
                ok = false;
            }
            let stream = p.stream.get_ref();
            if !declared.contains(stream.as_str()) {
                self.error(
                    p.stream.span(),
                    format!(
                        "product `{name}`: no stream `{stream}` in the flowsheet{}",
                        did_you_mean(stream, declared.iter().copied())
                    ),
                );
                ok = false;
            }
            let element = match p.element.get_ref().parse::<Element>() {
                Ok(e) => Some(e),
                Err(unknown) => {
                    self.error(p.element.span(), format!("product `{name}`: {unknown}"));
                    ok = false;
                    None
                }
            };
            let mut percent = |field: &str, v: &Option<Spanned<f64>>| -> Option<f64> {
                let v = v.as_ref()?;
                let x = *v.get_ref();
                if x > 0.0 && x <= 100.0 {
                    Some(x)
                } else {
                    self.error(
                        v.span(),
                        format!("product `{name}`: `{field}` = {x} must be in (0, 100]"),
                    );
                    ok = false;
                    None
                }
            };
            let min_purity_pct = percent("min_purity_pct", &p.min_purity_pct);
            let min_recovery_pct = percent("min_recovery_pct", &p.min_recovery_pct);
            if let Some(element) = element {
                out.push(ProductSpec {
                    name: name.clone(),
                    stream: stream.clone(),
                    element,
                    min_purity_pct,
                    min_recovery_pct,
                });
            }
        }
        ok.then_some(out)
    }
}
