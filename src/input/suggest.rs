//! "Did you mean": the known name closest to a misspelt one, for error messages.

/// The candidate closest to `word`, if one is close enough to be the likely intent and no
/// other is as close: a match ignoring case first (`nd` for `Nd`), else the fewest
/// single-character edits (insert, delete, replace, swap two neighbours), at most a third of
/// the word's length (at least one). Ties suggest nothing: a guess between two names
/// misleads more than the list of names does.
pub fn closest<'a, I>(word: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let candidates: Vec<&str> = candidates.into_iter().filter(|c| *c != word).collect();
    let same_letters: Vec<&str> = candidates
        .iter()
        .copied()
        .filter(|c| c.eq_ignore_ascii_case(word))
        .collect();
    if let [only] = same_letters.as_slice() {
        return Some(only);
    }
    let limit = (word.chars().count() / 3).max(1);
    let mut best: Option<(usize, &str)> = None;
    let mut tied = false;
    for c in candidates {
        let d = edits(&word.to_lowercase(), &c.to_lowercase());
        match best {
            Some((b, _)) if d > b => {}
            Some((b, _)) if d == b => tied = true,
            _ => {
                best = Some((d, c));
                tied = false;
            }
        }
    }
    match best {
        Some((d, c)) if d <= limit && !tied => Some(c),
        _ => None,
    }
}

/// ": did you mean `NAME`?" to end a message about `word`, or nothing.
pub fn did_you_mean<'a, I>(word: &str, candidates: I) -> String
where
    I: IntoIterator<Item = &'a str>,
{
    closest(word, candidates)
        .map(|c| format!(": did you mean `{c}`?"))
        .unwrap_or_default()
}

/// Edit distance with adjacent swaps counted as one edit (optimal string alignment).
fn edits(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    rows[0] = (0..=b.len()).collect();
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = d;
        }
    }
    rows[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_count_swaps_as_one() {
        assert_eq!(edits("scrub_stage", "scrub_stages"), 1);
        assert_eq!(edits("reflux_raito", "reflux_ratio"), 1);
        assert_eq!(edits("p570", "p507"), 1);
        assert_eq!(edits("abc", "xyz"), 3);
    }

    #[test]
    fn suggests_the_one_close_name() {
        let fields = [
            "scrub_stages",
            "extraction_stages",
            "scrub_ratio",
            "reflux_ratio",
        ];
        assert_eq!(closest("scrub_stage", fields), Some("scrub_stages"));
        assert_eq!(closest("reflux_raito", fields), Some("reflux_ratio"));
        assert_eq!(closest("nd", ["Pr", "Nd"]), Some("Nd"));
        assert_eq!(closest("colour", fields), None, "too far from every name");
        // Pm is one letter from Pr, Sm and Tm: no guess.
        assert_eq!(closest("Pm", ["Pr", "Sm", "Tm", "La"]), None);
    }
}
