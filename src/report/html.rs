//! The report page's parts: its head and style, the header saying what was run and when, the
//! table of contents, the status paragraph, and the CSV tables as HTML with readable headings.

use std::fmt::Write;

use super::columns::{escape, six_figures};
use super::headings::heading;
use crate::flowsheet::{Flowsheet, FlowsheetSolution};

/// Where a report came from, for its header: the input file as the user named it (or its
/// full path) and when the report was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Provenance {
    pub input: String,
    pub written: String,
}

/// An entry of the table of contents: the section's id, its title, and its own entries.
#[derive(Debug, Clone, PartialEq)]
pub struct Contents {
    pub id: String,
    pub title: String,
    pub parts: Vec<Contents>,
}

impl Contents {
    pub fn new(id: &str, title: &str) -> Self {
        Self {
            id: id.into(),
            title: title.into(),
            parts: Vec::new(),
        }
    }
}

pub fn head(title: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>{t}</title>\n<style>\n\
         body {{ font-family: \"DejaVu Sans\", Verdana, sans-serif; margin: 2em auto; \
         max-width: 1200px; padding: 0 1em; color: #222; }}\n\
         h1 {{ font-size: 1.6em; }} h2 {{ margin-top: 1.6em; border-bottom: 1px solid #ccc; }}\n\
         header.source {{ color: #444; }} header.source td {{ border: none; text-align: left; \
         padding: 0.1em 1em 0.1em 0; }}\n\
         nav ol {{ margin: 0.3em 0; }} nav li {{ margin: 0.15em 0; }}\n\
         nav ol ol {{ columns: 3; }}\n\
         figure {{ margin: 1em 0; }} figure svg {{ max-width: 100%; height: auto; }}\n\
         /* The flowsheet diagram at its drawn size (its text 12-13 px), as wide as the \
         window, scrolling sideways: scaled into the column its labels would be unreadable. */\n\
         .diagram {{ width: calc(100vw - 4em); margin-left: calc(50% - 50vw + 2em); \
         overflow-x: auto; border: 1px solid #ddd; }}\n\
         .diagram svg {{ max-width: none; display: block; }}\n\
         figcaption, .note {{ color: #555; font-size: 0.9em; }}\n\
         .table {{ overflow-x: auto; }}\n\
         table {{ border-collapse: collapse; font-size: 0.85em; }}\n\
         th, td {{ border: 1px solid #ddd; padding: 0.25em 0.5em; text-align: right; }}\n\
         th {{ background: #f0f0f0; }} td:first-child, th:first-child {{ text-align: left; }}\n\
         th.group {{ text-align: center; }} td.text {{ text-align: left; }}\n\
         tfoot td {{ font-weight: bold; }} tfoot tr:first-child td {{ border-top: 2px solid #888; }}\n\
         .good {{ color: #1a7f1a; }} .bad {{ color: #c62828; }}\n\
         </style>\n</head>\n<body>\n<h1>{t}</h1>\n",
        t = escape(title)
    )
}

/// What was run, when, by which version.
pub fn provenance_header(provenance: &Provenance) -> String {
    format!(
        "<header class=\"source\"><table>\n\
         <tr><td>input file</td><td><code>{}</code></td></tr>\n\
         <tr><td>written</td><td>{}</td></tr>\n\
         <tr><td>by</td><td>sxcascade {}</td></tr>\n\
         </table></header>\n",
        escape(&provenance.input),
        escape(&provenance.written),
        env!("CARGO_PKG_VERSION")
    )
}

pub fn contents(sections: &[Contents]) -> String {
    fn list(out: &mut String, sections: &[Contents]) {
        out.push_str("<ol>\n");
        for s in sections {
            let _ = write!(
                out,
                "<li><a href=\"#{}\">{}</a>",
                escape(&s.id),
                escape(&s.title)
            );
            if !s.parts.is_empty() {
                list(out, &s.parts);
            }
            out.push_str("</li>\n");
        }
        out.push_str("</ol>\n");
    }
    let mut out = String::from("<nav id=\"contents\"><h2>Contents</h2>\n");
    list(&mut out, sections);
    out.push_str("</nav>\n");
    out
}

/// A section heading with its id.
pub fn heading2(section: &Contents) -> String {
    format!(
        "<h2 id=\"{}\">{}</h2>\n",
        escape(&section.id),
        escape(&section.title)
    )
}

/// Convergence, closure and specs in one paragraph.
pub fn status(flowsheet: &Flowsheet, solution: &FlowsheetSolution) -> String {
    let met = solution.products.iter().filter(|p| p.meets_spec).count();
    let (class, verdict) = if solution.converged() && solution.all_products_meet_spec() {
        ("good", "solved; every product meets its specification")
    } else if solution.converged() {
        ("bad", "solved; some products miss their specification")
    } else {
        ("bad", "NOT CONVERGED: see the cascade table's error column")
    };
    format!(
        "<p class=\"{class}\"><strong>{verdict}</strong></p>\n<p>{} cascades, {} stages in all; \
         {met} of {} products on spec; {}; \
         {} recycle loops.</p>\n",
        flowsheet.cascades.len(),
        flowsheet
            .cascades
            .iter()
            .map(|c| c.cascade.extraction_stages + c.cascade.scrub_stages)
            .sum::<usize>(),
        solution.products.len(),
        super::table::closure_words(solution.mass_balance_max_rel_error),
        solution.recycles.len(),
    )
}

/// A CSV table as an HTML table: the columns `order` names (every column if empty), in that
/// order, less those that every row leaves blank; headings with units; numbers to 6
/// significant figures.
pub fn html_table(bytes: &[u8], order: &[&str]) -> String {
    let mut reader = csv::Reader::from_reader(bytes);
    let header: Vec<String> = reader
        .headers()
        .map(|h| h.iter().map(String::from).collect())
        .unwrap_or_default();
    let records: Vec<csv::StringRecord> = reader.records().flatten().collect();
    let picked: Vec<usize> = if order.is_empty() {
        (0..header.len()).collect()
    } else {
        order
            .iter()
            .filter_map(|name| header.iter().position(|h| h == name))
            .collect()
    };
    let shown: Vec<usize> = picked
        .into_iter()
        .filter(|&k| {
            records
                .iter()
                .any(|r| r.get(k).is_some_and(|c| !c.is_empty()))
        })
        .collect();
    let mut out = String::from("<div class=\"table\"><table>\n<thead><tr>");
    for &k in &shown {
        let _ = write!(out, "<th>{}</th>", escape(&heading(&header[k])));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for record in &records {
        out.push_str("<tr>");
        for &k in &shown {
            let cell = record.get(k).unwrap_or("");
            let shown = match cell.parse::<f64>() {
                Ok(v) if cell.contains(['.', 'e']) => six_figures(v),
                _ => cell.to_string(),
            };
            // Names and words keep left, numbers right.
            let class = match cell {
                "true" => " class=\"good\"",
                "false" => " class=\"bad\"",
                _ if k > 0 && !cell.is_empty() && cell.parse::<f64>().is_err() => " class=\"text\"",
                _ => "",
            };
            let _ = write!(out, "<td{class}>{}</td>", escape(&shown));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></div>\n");
    out
}
