//! The plotted report as a deliverable: a header saying what was run, when and by which
//! version; a table of contents whose links land; headings with units and no empty column;
//! plant totals that are the sums of their cascades; the flowsheet diagram at a readable size.

use super::plots::write_reference_report;
use super::support::scratch;

/// The text between the first `open` at or after `from` and the next `close`.
fn between<'a>(text: &'a str, open: &str, close: &str) -> &'a str {
    let start = text.find(open).unwrap_or_else(|| panic!("no `{open}`")) + open.len();
    let end = text[start..]
        .find(close)
        .unwrap_or_else(|| panic!("no `{close}`"));
    &text[start..start + end]
}

/// The cells of each `<tr>` of `table`, tags stripped.
fn rows(table: &str) -> Vec<Vec<String>> {
    table
        .split("<tr>")
        .skip(1)
        .map(|row| {
            let row = &row[..row.find("</tr>").unwrap()];
            row.split(['<'])
                .filter_map(|part| {
                    let (tag, text) = part.split_once('>')?;
                    (tag.starts_with("td") || tag.starts_with("th")).then(|| text.to_string())
                })
                .collect()
        })
        .collect()
}

fn number(cell: &str) -> f64 {
    cell.parse()
        .unwrap_or_else(|_| panic!("`{cell}` is not a number"))
}

#[test]
fn report_is_an_engineering_deliverable() {
    let tmp = scratch("report-page");
    let dir = tmp.path().join("report");
    write_reference_report(&dir);
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();

    // The header: the input's full path, the date written, the version.
    let header = between(&html, "<header class=\"source\">", "</header>");
    let input = std::fs::canonicalize("flowsheets/reference_plant.toml").unwrap();
    assert!(header.contains(&input.display().to_string()), "{header}");
    assert!(header.contains(&format!("sxcascade {}", env!("CARGO_PKG_VERSION"))));
    let written = between(header, "<td>written</td><td>", "</td>");
    let shape: String = written
        .chars()
        .map(|c| if c.is_ascii_digit() { '9' } else { c })
        .collect();
    assert_eq!(shape, "9999-99-99 99:99 UTC", "{written}");

    // The contents: every section and every cascade, each link landing on an id.
    let nav = between(&html, "<nav id=\"contents\">", "</nav>");
    let links: Vec<&str> = nav
        .split("href=\"#")
        .skip(1)
        .map(|l| &l[..l.find('"').unwrap()])
        .collect();
    for section in ["flowsheet", "products", "plant", "cascades", "streams"] {
        assert!(links.contains(&section), "no `{section}` in {links:?}");
    }
    assert_eq!(
        links.iter().filter(|l| l.starts_with("cascade-")).count(),
        14
    );
    for link in &links {
        assert!(
            html.contains(&format!("id=\"{link}\"")),
            "no target for #{link}"
        );
    }

    // Every table: headings for people, and no column every row leaves blank.
    let tables: Vec<&str> = html.split("<table>").skip(1).collect();
    assert!(tables.len() >= 5);
    for table in &tables {
        let table = &table[..table.find("</table>").unwrap()];
        let rows = rows(table);
        let head = rows
            .iter()
            .find(|r| !r.iter().all(String::is_empty))
            .unwrap();
        for heading in head {
            assert!(
                !heading.contains('_') && !heading.contains(" per "),
                "raw heading `{heading}`"
            );
        }
        let body: Vec<&Vec<String>> = rows.iter().filter(|r| r.len() == head.len()).collect();
        for k in 0..head.len() {
            assert!(
                body.iter().skip(1).any(|r| !r[k].is_empty()),
                "column `{}` is empty",
                head[k]
            );
        }
    }
    for heading in ["HCl, t/yr", "loaded organic, L/h", "purity, % of REO"] {
        assert!(
            html.contains(&format!("<th>{heading}</th>")),
            "no `{heading}`"
        );
    }

    // The plant's totals are the sums of its cascades.
    let plant = between(&html, "id=\"plant\"", "</table>");
    let rows = rows(plant);
    let head = &rows[0];
    let column = |name: &str| head.iter().position(|h| h == name).unwrap();
    let cascades: Vec<&Vec<String>> = rows[1..]
        .iter()
        .filter(|r| !r[0].starts_with("plant total"))
        .collect();
    assert_eq!(cascades.len(), 14);
    let total = |label: &str| rows.iter().find(|r| r[0] == label).unwrap();
    let close = |sum: f64, shown: f64| (sum - shown).abs() <= 1e-5 * shown;
    for name in ["loaded organic, L/h", "HCl, t/yr"] {
        let k = column(name);
        let sum: f64 = cascades.iter().map(|r| number(&r[k])).sum();
        let shown = number(&total("plant total")[k]);
        assert!(close(sum, shown), "{name}: {sum} != {shown}");
    }
    // Two bases in this plant: a total for each.
    let (base, kind) = (column("saponification base, t/yr"), column("base"));
    for chemical in ["NaOH", "NH3"] {
        let sum: f64 = cascades
            .iter()
            .filter(|r| r[kind] == chemical)
            .map(|r| number(&r[base]))
            .sum();
        let shown = number(&total(&format!("plant total {chemical}"))[base]);
        assert!(
            sum > 0.0 && close(sum, shown),
            "{chemical}: {sum} != {shown}"
        );
    }

    // The diagram at its drawn size in a box that scrolls, its text 12 px or more.
    assert!(html.contains(".diagram svg { max-width: none;"));
    let diagram = between(&html, "<div class=\"diagram\">", "</div>");
    let doc = roxmltree::Document::parse(diagram).unwrap();
    let sizes: Vec<f64> = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| n.attribute("font-size").unwrap().parse().unwrap())
        .collect();
    assert!(sizes.len() > 50);
    assert!(sizes.iter().all(|&s| s >= 12.0), "{sizes:?}");
}
