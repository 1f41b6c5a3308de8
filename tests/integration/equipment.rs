//! Mixer-settlers, inventory and cost: sizes checked by hand from the flows, the inventory
//! against the stage profiles by concentrations times phase volumes, the cost against the
//! reagent totals and the capital law, and bad inputs at their line.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::support::{ok, scratch, sxcascade};

/// Pr/Nd at 100 mol/h, S 3.5, W 3 (R 6), beta 1.5, 20 + 20 stages; capacity 0.2 mol/L, feed
/// 1.25 mol/L, scrub acid 4.5 mol/L: organic 350 / 0.2 = 1,750 L/h, aqueous 80 + 200 L/h from
/// the feed stage down, 200 above; strip liquor 3 x 50 / 6 = 25 L/h.
const PRND: &str = r#"
name = "Pr/Nd with mixer-settlers"
[basis]
reo_t_per_year = 100.0
[systems.p507]
separation_factors = { Pr = 1.0, Nd = 1.5 }
organic_capacity_mol_per_l = 0.2
[streams.feed]
flow_mol_per_h = 100.0
composition_mol = { Pr = 0.25, Nd = 0.75 }
[equipment]
mixer_residence_min = 3.0
settler_flux_m3_per_m2_h = 4.0
[[cascades]]
name = "PrNd"
system = "p507"
feed = "feed"
extraction_stages = 20
scrub_stages = 20
extraction_ratio = 3.5
scrub_ratio = 3.0
raffinate = "Pr_rich"
extract = "Nd_rich"
feed_concentration_mol_per_l = 1.25
scrub_acid_mol_per_l = 4.5
strip_acid_mol_per_l = 6.0
settler_depth_m = 0.9
[[products]]
name = "Nd2O3"
stream = "Nd_rich"
element = "Nd"
min_purity_pct = 90.0
"#;

const PRICES: &str = r#"
[prices]
cost_index = 797.9
hcl_usd_per_t = 250.0
naoh_usd_per_t = 400.0
organic_usd_per_m3 = 2000.0
organic_loss_l_per_m3_aqueous = 0.1
oxides_usd_per_kg = { Pr6O11 = 80.0, Nd2O3 = 60.0 }
"#;

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn run_json(path: &Path, profiles: bool) -> Value {
    let mut args = vec!["run", path.to_str().unwrap(), "--json"];
    if profiles {
        args.push("--profiles");
    }
    let out = sxcascade(&args);
    ok(&out);
    serde_json::from_slice(&out.stdout).unwrap()
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * b.abs()
}

/// Boxes sized for the largest stage flow, 2,030 L/h = 2.03 m3/h: mixer 2.03 x 3 / 60 =
/// 0.1015 m3, settler 2.03 / 4 = 0.5075 m2 x 0.9 m = 0.45675 m3 (the cascade's depth over no
/// default). Organic held: each box's organic share of its flow, 20 stages at 1750/2030 and
/// 20 at 1750/1950.
#[test]
fn mixer_settlers_are_sized_for_the_largest_stage_flow() {
    let dir = scratch("equipment");
    let file = write(&dir, "prnd.toml", PRND);
    let json = run_json(&file, false);
    let e = &json["cascades"][0]["equipment"];
    let num = |k: &str| e[k].as_f64().unwrap_or_else(|| panic!("{k} in {e}"));
    assert!(close(num("design_flow_m3_per_h"), 2.03, 1e-12));
    assert!(close(num("mixer_m3_per_stage"), 0.1015, 1e-12));
    assert!(close(num("settler_m2_per_stage"), 0.5075, 1e-12));
    assert!(close(num("settler_m3_per_stage"), 0.45675, 1e-12));
    let box_m3 = 0.1015 + 0.45675;
    let organic = 20.0 * box_m3 * (1750.0 / 2030.0 + 1750.0 / 1950.0);
    assert!(close(num("organic_inventory_m3"), organic, 1e-12));
    assert!(e.get("capital_usd").is_none(), "no prices, no capital");
    let total = &json["equipment_total"];
    assert!(close(
        total["mixer_m3"].as_f64().unwrap(),
        40.0 * 0.1015,
        1e-12
    ));
    assert!(json.get("cost").is_none());
}

/// The inventory, found again from the stage profiles: each phase's concentration (flux over
/// its volumetric flow) times its volume in a box (its share of the flow), summed over the
/// stages and both phases, in kg of oxide.
#[test]
fn inventory_is_concentration_times_phase_volume_over_every_stage() {
    let dir = scratch("inventory");
    let file = write(&dir, "prnd.toml", PRND);
    let json = run_json(&file, true);
    let cascade = &json["cascades"][0];
    let profiles = &cascade["profiles"];
    let box_l = 1000.0 * (0.1015 + 0.45675);
    let oxide_g_per_mol = [
        ("Pr", 6.0 * 140.907_66 + 11.0 * 15.999),
        ("Nd", 2.0 * 144.242 + 3.0 * 15.999),
    ];
    let metal_atoms = [("Pr", 6.0), ("Nd", 2.0)];
    for (col, element) in profiles["elements"].as_array().unwrap().iter().enumerate() {
        let element = element.as_str().unwrap();
        let mut mol = 0.0;
        for stage in 0..40 {
            let organic_l_per_h = 1750.0;
            let aqueous_l_per_h = if stage < 20 { 280.0 } else { 200.0 };
            let total = organic_l_per_h + aqueous_l_per_h;
            let a = profiles["aqueous_mol_per_h"][stage][col].as_f64().unwrap();
            let o = profiles["organic_mol_per_h"][stage][col].as_f64().unwrap();
            let aqueous_volume = box_l * aqueous_l_per_h / total;
            let organic_volume = box_l * organic_l_per_h / total;
            mol += a / aqueous_l_per_h * aqueous_volume + o / organic_l_per_h * organic_volume;
        }
        let (_, g) = oxide_g_per_mol.iter().find(|(e, _)| *e == element).unwrap();
        let (_, k) = metal_atoms.iter().find(|(e, _)| *e == element).unwrap();
        let kg = mol * g / k / 1000.0;
        let reported = cascade["inventory_kg"][element].as_f64().unwrap();
        assert!(close(reported, kg, 1e-9), "{element}: {reported} vs {kg}");
    }
}

/// Capital: 40 boxes on PrOMMiS's law, escalated from CEPCI 541.7 to 797.9; operating cost:
/// the reagent totals at the file's prices (no NH3 used), and organic make-up on the
/// raffinate and strip liquor leaving (280 + 25 L/h).
#[test]
fn cost_follows_the_capital_law_and_the_reagent_totals() {
    let dir = scratch("cost");
    let file = write(&dir, "prnd.toml", &format!("{PRND}{PRICES}"));
    let json = run_json(&file, false);
    let cost = &json["cost"];
    let gal = (0.1015 + 0.45675) * 1000.0 / 3.785_411_784;
    let capital = 40.0 * 1_285_343.0 * (gal / 61_107.0f64).powf(0.45) * 797.9 / 541.7;
    assert!(close(cost["capital_usd"].as_f64().unwrap(), capital, 1e-12));
    let reagents = &json["reagents_total"];
    let hcl = reagents["hcl_t_per_year"].as_f64().unwrap() * 250.0;
    let naoh = reagents["naoh_t_per_year"].as_f64().unwrap() * 400.0;
    let makeup = (280.0 + 25.0) * 7920.0 / 1000.0 * 0.1 / 1000.0 * 2000.0;
    let lines = &cost["operating_usd_per_year"];
    assert!(close(lines["hcl"].as_f64().unwrap(), hcl, 1e-12));
    assert!(close(lines["naoh"].as_f64().unwrap(), naoh, 1e-12));
    assert_eq!(lines["nh3"].as_f64(), Some(0.0));
    assert!(close(
        lines["organic_makeup"].as_f64().unwrap(),
        makeup,
        1e-12
    ));
    let total = hcl + naoh + makeup;
    assert!(close(
        cost["operating_total_usd_per_year"].as_f64().unwrap(),
        total,
        1e-12
    ));
    assert_eq!(cost["operating_missing"], serde_json::json!([]));
    let products_t = cost["products_t_per_year"].as_f64().unwrap();
    let per_t = cost["operating_usd_per_t_reo"].as_f64().unwrap();
    assert!(close(per_t, total / products_t, 1e-12));
    let nd_t = json["streams"]["Nd_rich"]["mol_per_h"]["Nd"]
        .as_f64()
        .unwrap()
        * (2.0 * 144.242 + 3.0 * 15.999)
        / 2.0
        * 7920.0
        / 1e6;
    assert!(close(products_t, nd_t, 1e-12));
    assert!(close(
        cost["product_value_usd_per_year"].as_f64().unwrap(),
        nd_t * 1000.0 * 60.0,
        1e-12
    ));
    // Both oxides are priced; the inventory is valued at those prices.
    assert_eq!(cost["unpriced_oxides"], serde_json::json!([]));
    let held = &json["equipment_total"]["inventory_kg"];
    let value = held["Pr"].as_f64().unwrap() * 80.0 + held["Nd"].as_f64().unwrap() * 60.0;
    assert!(close(
        cost["inventory_value_usd"].as_f64().unwrap(),
        value,
        1e-12
    ));
}

/// A flowsheet without equipment fields reports none: the result is as before.
#[test]
fn no_equipment_fields_no_equipment_results() {
    let json = run_json(Path::new("flowsheets/prnd_binary.toml"), false);
    assert!(json["cascades"][0].get("equipment").is_none());
    assert!(json["cascades"][0].get("inventory_kg").is_none());
    assert!(json.get("equipment_total").is_none());
    assert!(json.get("cost").is_none());
}

/// Bad sizing and prices are input errors at their line: exit 2, the field named.
#[test]
fn bad_equipment_and_prices_name_the_line() {
    let dir = scratch("equipment-errors");
    let cases = [
        // No depth anywhere.
        (
            PRND.replace("settler_depth_m = 0.9\n", ""),
            "mixer_residence_min = 3.0",
            "settler_depth_m",
        ),
        // No scrub acid: the aqueous volume of the scrub section is unknown.
        (
            PRND.replace("scrub_acid_mol_per_l = 4.5\n", ""),
            "mixer_residence_min",
            "scrub_acid_mol_per_l",
        ),
        (
            PRND.replace("settler_depth_m = 0.9", "settler_depth_m = -1.0"),
            "settler_depth_m = -1.0",
            "settler_depth_m",
        ),
        (
            format!("{PRND}{PRICES}").replace("Nd2O3 = 60.0", "Nd = 60.0"),
            "Nd = 60.0",
            "Nd2O3",
        ),
        (
            format!("{PRND}{PRICES}").replace("hcl_usd_per_t = 250.0", "hcl_usd_per_t = -1.0"),
            "hcl_usd_per_t = -1.0",
            "hcl_usd_per_t",
        ),
    ];
    for (k, (text, at, names)) in cases.iter().enumerate() {
        let file = write(&dir, &format!("bad{k}.toml"), text);
        let out = sxcascade(&["check", file.to_str().unwrap()]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "case {k}: {stderr}");
        // The line of the offending text, 1-based, in the message's file:line:column.
        let offset = text.find(at).unwrap();
        let line = text[..offset].matches('\n').count() + 1;
        assert!(
            stderr.contains(&format!("bad{k}.toml:{line}:")),
            "case {k}: expected line {line}: {stderr}"
        );
        assert!(stderr.contains(names), "case {k}: {stderr}");
    }
}
