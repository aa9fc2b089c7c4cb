//! The look of claimdb's tables on a terminal: fitted to its width, cut at grapheme boundaries,
//! right-to-left text isolated so it cannot scramble its neighbours, colour only where wanted.

use std::io::IsTerminal;

use comfy_table::{presets, Cell, Color, ContentArrangement, Table};
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

use crate::model::Status;

/// How tables are drawn in this run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    /// The width to fit, or `None` to show every cell in full.
    pub width: Option<usize>,
    /// Colour statuses by meaning.
    pub color: bool,
}

impl Style {
    /// Reads the environment: `NO_COLOR` (https://no-color.org) turns colour off, `CLICOLOR_FORCE`
    /// turns it on through a pipe; otherwise colour only on a terminal. The width is `COLUMNS`
    /// when set, else the terminal's, else unlimited (a pipe gets whole cells); `wide` shows
    /// everything.
    pub fn detect(wide: bool) -> Style {
        let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty() && v != "0");
        let tty = std::io::stdout().is_terminal();
        let color = !set("NO_COLOR") && (set("CLICOLOR_FORCE") || tty);
        let width = if wide {
            None
        } else {
            std::env::var("COLUMNS")
                .ok()
                .and_then(|c| c.trim().parse::<usize>().ok())
                .filter(|w| *w > 0)
                .or_else(|| tty.then(|| Table::new().width().map(usize::from)).flatten())
        };
        Style { width, color }
    }

    /// An empty table in claimdb's look. Cells arrive already fitted (see [`Style::fit`] and
    /// [`Style::wrap`]), so the table itself never re-wraps them: re-wrapping could split a
    /// right-to-left run from its isolates or a letter from its harakat.
    pub fn table(&self) -> Table {
        let mut table = Table::new();
        table
            .load_preset(presets::UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Disabled);
        if self.color {
            table.enforce_styling();
        } else {
            table.force_no_tty();
        }
        table
    }

    /// Wraps `text` into lines of at most `width` columns at word boundaries (long words are cut
    /// between graphemes), each line isolated on its own (see [`isolate`]).
    pub fn wrap(text: &str, width: usize) -> String {
        let options = textwrap::Options::new(width.max(4)).break_words(true);
        text.lines()
            .flat_map(|line| textwrap::wrap(line, &options))
            .map(|line| isolate(&line))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The room left for the last column of a table whose other columns are `others` wide.
    pub fn room_after(&self, others: &[usize]) -> Option<usize> {
        let overhead = 3 * (others.len() + 1) + 1;
        self.width.map(|w| {
            w.saturating_sub(others.iter().sum::<usize>() + overhead)
                .max(10)
        })
    }

    /// Cuts the widest columns of `rows` down to one common width, as little as needed for the
    /// table to fit; columns narrower than that, and the columns in `whole`, keep their width.
    pub fn fit_evenly(&self, headers: &[&str], rows: &mut [Vec<String>], whole: &[usize]) {
        let Some(width) = self.width else { return };
        let mut widths: Vec<usize> = headers.iter().map(|h| h.width()).collect();
        for row in rows.iter() {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.width());
            }
        }
        let fixed: usize = whole.iter().filter_map(|&i| widths.get(i)).sum();
        let room = width.saturating_sub(3 * headers.len() + 1 + fixed);
        for &i in whole {
            if let Some(w) = widths.get_mut(i) {
                *w = 0;
            }
        }
        if widths.iter().sum::<usize>() <= room {
            return;
        }
        // The largest cap at which everything fits; no column goes below 8.
        let mut cap = widths.iter().copied().max().unwrap_or(0);
        while cap > 8 && widths.iter().map(|w| (*w).min(cap)).sum::<usize>() > room {
            cap -= 1;
        }
        for row in rows.iter_mut() {
            for (i, cell) in row.iter_mut().enumerate() {
                if !whole.contains(&i) && cell.width() > cap {
                    *cell = truncate(cell, cap);
                }
            }
        }
    }

    /// Cuts the cells of `rows` so that the table fits the width: columns are shrunk in the
    /// order of `shrinkable` (index, narrowest allowed), each no more than needed.
    pub fn fit(&self, headers: &[&str], rows: &mut [Vec<String>], shrinkable: &[(usize, usize)]) {
        let Some(width) = self.width else { return };
        let mut widths: Vec<usize> = headers.iter().map(|h| h.width()).collect();
        for row in rows.iter() {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.width());
            }
        }
        // Each column has a space either side and a border after it, plus the first border.
        let overhead = 3 * headers.len() + 1;
        let mut excess = (widths.iter().sum::<usize>() + overhead).saturating_sub(width);
        for &(column, narrowest) in shrinkable {
            if excess == 0 {
                break;
            }
            let Some(current) = widths.get(column).copied() else {
                continue;
            };
            let cut = excess.min(current.saturating_sub(narrowest.max(headers[column].width())));
            if cut == 0 {
                continue;
            }
            let limit = current - cut;
            for row in rows.iter_mut() {
                if let Some(cell) = row.get_mut(column) {
                    *cell = truncate(cell, limit);
                }
            }
            widths[column] = limit;
            excess -= cut;
        }
    }
}

/// A cell holding text as a reader sees it: right-to-left text wrapped in Unicode isolates
/// (FSI … PDI) so that a bidi-aware terminal lays it out inside its cell without reordering the
/// cells around it. The isolates have no width, so alignment is unchanged.
pub fn text_cell(text: &str) -> Cell {
    Cell::new(isolate(text))
}

/// Wraps `text` in FSI/PDI when it contains right-to-left letters.
pub fn isolate(text: &str) -> String {
    if text.chars().any(is_rtl) {
        format!("\u{2068}{text}\u{2069}")
    } else {
        text.to_owned()
    }
}

fn is_rtl(c: char) -> bool {
    matches!(c,
        '\u{0590}'..='\u{08FF}' | '\u{FB1D}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}'
        | '\u{10800}'..='\u{10FFF}' | '\u{1E800}'..='\u{1EFFF}')
}

/// A status coloured by meaning (colour shows only when the style allows it).
pub fn status_cell(status: Status) -> Cell {
    let color = match status {
        Status::Unverified => None,
        Status::InReview => Some(Color::Cyan),
        Status::Verified => Some(Color::Green),
        Status::Misleading | Status::Disputed => Some(Color::Yellow),
        Status::False => Some(Color::Red),
        Status::Unverifiable => Some(Color::Magenta),
    };
    let cell = Cell::new(status);
    match color {
        Some(c) => cell.fg(c),
        None => cell,
    }
}

/// Makes `text` one line of at most `max` columns, ending with `…` when it was cut. It cuts
/// between grapheme clusters, so a letter keeps its harakat and an emoji stays whole.
pub fn truncate(text: &str, max: usize) -> String {
    let flat: String = text
        .chars()
        .map(|c| {
            if matches!(c, '\n' | '\r' | '\t') {
                ' '
            } else {
                c
            }
        })
        .collect();
    if flat.width() <= max {
        return flat;
    }
    let mut out = String::new();
    let mut used = 0;
    for grapheme in flat.graphemes(true) {
        let w = grapheme.width();
        if used + w + 1 > max {
            break;
        }
        out.push_str(grapheme);
        used += w;
    }
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_keeps_graphemes_whole() {
        // Each Arabic letter here carries a shadda and a fatha: three code points, one column.
        let text = "تكبَّدت المجموعة";
        let cut = truncate(text, 4);
        assert_eq!(cut, "تكبَّ…");
        assert!(cut.width() <= 4);
        assert_eq!(truncate("😀😀😀", 4), "😀…");
        assert_eq!(truncate("a\nb", 10), "a b");
        assert_eq!(truncate("short", 5), "short");
    }

    #[test]
    fn only_right_to_left_text_is_isolated() {
        assert_eq!(isolate("CSIS"), "CSIS");
        assert_eq!(isolate("فاجنر"), "\u{2068}فاجنر\u{2069}");
        assert_eq!(isolate("\u{2068}x").width(), 1);
    }

    #[test]
    fn even_fitting_cuts_only_the_widest_columns() {
        let style = Style {
            width: Some(50),
            color: false,
        };
        let mut rows = vec![vec![
            "2026-11-29T03:01:33Z".to_owned(),
            "a note long enough to need cutting".to_owned(),
            "another long value that must be cut".to_owned(),
        ]];
        style.fit_evenly(&["at", "note", "new"], &mut rows, &[0]);
        assert_eq!(rows[0][0], "2026-11-29T03:01:33Z");
        assert_eq!(
            rows[0].iter().map(|c| c.width()).sum::<usize>() + 10,
            50,
            "{rows:?}"
        );
        assert!(rows[0][1].ends_with('…') && rows[0][2].ends_with('…'));
    }

    #[test]
    fn fitting_shrinks_the_named_columns_first() {
        let style = Style {
            width: Some(30),
            color: false,
        };
        let mut rows = vec![vec![
            "1".to_owned(),
            "a long claim text that does not fit".to_owned(),
        ]];
        style.fit(&["id", "text"], &mut rows, &[(1, 4)]);
        let total = 2 + rows[0][1].width() + 7;
        assert_eq!(total, 30, "{rows:?}");
        assert!(rows[0][1].ends_with('…'));
    }
}
