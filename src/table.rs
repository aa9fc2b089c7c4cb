//! The look of claimdb's tables on a terminal: fitted to its width, cut at grapheme boundaries,
//! user text isolated so it cannot scramble its neighbours, colour only where wanted.
//!
//! claimdb draws its tables itself rather than through a table crate, because the width of a
//! cell must be measured the way terminals draw it (see [`width`]): a table crate that measured
//! otherwise would pad a row holding لا one column short of its neighbours.

use std::io::{self, IsTerminal, Write};

use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthChar;

use crate::model::Status;

/// The columns `text` takes on a terminal: the sum of its code points' widths. Terminals give
/// every code point its own cells; they do not draw the lam-alef pair (لا، لأ، لإ، لآ) in one
/// cell as unicode-width's string width counts it, so measuring whole strings would make every
/// row holding such a pair a column wider than the others. Marks, joiners and isolates take no
/// columns; CJK and most emoji take two.
pub fn width(text: &str) -> usize {
    text.chars()
        .map(|c| UnicodeWidthChar::width(c).unwrap_or(0))
        .sum()
}

/// How tables are drawn in this run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    /// The width to fit, or `None` to show every cell in full.
    pub width: Option<usize>,
    /// Colour statuses by meaning.
    pub color: bool,
    /// Wrap each user-supplied cell in Unicode isolates (on a terminal only: in a file they are
    /// invisible characters that nobody asked for).
    pub isolate: bool,
}

impl Style {
    /// Reads the environment: `NO_COLOR` (https://no-color.org) turns colour off, `CLICOLOR_FORCE`
    /// turns it on through a pipe; otherwise colour only on a terminal. The width is `COLUMNS`
    /// when set, else the terminal's, else unlimited (a pipe gets whole cells); `wide` shows
    /// everything. Isolates are written on a terminal only; `CLAIMDB_ISOLATES=1` (or `0`) turns
    /// them on (or off) wherever the output goes.
    pub fn detect(wide: bool) -> Style {
        let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty() && v != "0");
        let tty = std::io::stdout().is_terminal();
        let color = !set("NO_COLOR") && (set("CLICOLOR_FORCE") || tty);
        let isolate = match std::env::var("CLAIMDB_ISOLATES").as_deref() {
            Ok("1") => true,
            Ok("0") => false,
            _ => tty,
        };
        let width = if wide {
            None
        } else {
            std::env::var("COLUMNS")
                .ok()
                .and_then(|c| c.trim().parse::<usize>().ok())
                .filter(|w| *w > 0)
                .or_else(|| tty.then(terminal_width).flatten())
        };
        Style {
            width,
            color,
            isolate,
        }
    }

    /// Wraps `text` into lines of at most `width` columns at word boundaries (long words are cut
    /// between graphemes). textwrap measures code point by code point, as [`width`] does.
    pub fn wrap(text: &str, width: usize) -> String {
        let options = textwrap::Options::new(width.max(4))
            .break_words(true)
            .word_splitter(textwrap::WordSplitter::NoHyphenation);
        text.lines()
            .flat_map(|line| textwrap::wrap(line, &options))
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
        let mut widths = column_widths(headers, rows);
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
                if !whole.contains(&i) && width_of_lines(cell) > cap {
                    *cell = truncate(cell, cap);
                }
            }
        }
    }

    /// Cuts the cells of `rows` so that the table fits the width, giving column `main` (the
    /// claim text) at least half of the width when it needs that much: `main` gives up what it
    /// has beyond half, then the columns in `shrinkable` (index, narrowest allowed) give way, in
    /// their order, before `main` goes below half.
    pub fn fit(
        &self,
        headers: &[&str],
        rows: &mut [Vec<String>],
        main: usize,
        shrinkable: &[(usize, usize)],
    ) {
        let Some(width) = self.width else { return };
        let mut widths = column_widths(headers, rows);
        // Each column has a space either side and a border after it, plus the first border.
        let overhead = 3 * headers.len() + 1;
        let total = |widths: &[usize]| widths.iter().sum::<usize>() + overhead;
        let mut excess = total(&widths).saturating_sub(width);
        // The text gives up what it has beyond half of the width first, then the others are
        // shortened, and only then does the text go below half.
        let main_floor = widths[main].min((width / 2).max(width_of_lines(headers[main])));
        let mut order: Vec<(usize, usize)> = vec![(main, main_floor)];
        order.extend_from_slice(shrinkable);
        for (column, narrowest) in order {
            if excess == 0 {
                break;
            }
            let Some(current) = widths.get(column).copied() else {
                continue;
            };
            let narrowest = narrowest.max(width_of_lines(headers[column]));
            let cut = excess.min(current.saturating_sub(narrowest));
            if cut == 0 {
                continue;
            }
            widths[column] = current - cut;
            excess -= cut;
        }
        // Whatever still does not fit comes out of the text, down to 10 columns.
        if excess > 0 {
            widths[main] = widths[main].saturating_sub(excess).max(10);
        }
        for row in rows.iter_mut() {
            for (cell, &limit) in row.iter_mut().zip(&widths) {
                if width_of_lines(cell) > limit {
                    *cell = truncate(cell, limit);
                }
            }
        }
    }

    /// The columns of `headers` that fit on the terminal, for a list whose column `main` should
    /// get half of the width: `droppable` columns go, in their order, while the table cannot fit
    /// with every column at its narrowest (`narrowest[i]`, or its full width when that is less).
    pub fn columns_that_fit(
        &self,
        headers: &[&str],
        rows: &[Vec<String>],
        main: usize,
        narrowest: &[usize],
        droppable: &[usize],
    ) -> Vec<usize> {
        let mut keep: Vec<usize> = (0..headers.len()).collect();
        let Some(width) = self.width else {
            return keep;
        };
        let widths = column_widths(headers, rows);
        let need = |keep: &[usize]| -> usize {
            keep.iter()
                .map(|&i| {
                    let floor = if i == main {
                        widths[i].min(width / 2)
                    } else {
                        widths[i].min(narrowest[i].max(width_of_lines(headers[i])))
                    };
                    floor + 3
                })
                .sum::<usize>()
                + 1
        };
        for &column in droppable {
            if need(&keep) <= width {
                break;
            }
            keep.retain(|&k| k != column);
        }
        keep
    }

    /// A cell of text that came from a user (claim text, a source's name, a note): isolated on
    /// a terminal so that neither right-to-left letters nor a bidi override inside it can
    /// reorder the rest of the row.
    pub fn user(&self, text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            user: true,
            color: None,
            bold: false,
        }
    }

    /// Prints a table of `headers` and `rows`, each row as many lines high as its tallest cell.
    /// Cells are printed as they are: fit them first (see [`Style::fit`]).
    pub fn print(
        &self,
        out: &mut dyn Write,
        headers: &[&str],
        rows: &[Vec<Cell>],
    ) -> io::Result<()> {
        let header_cells: Vec<Cell> = headers.iter().map(|h| Cell::plain(*h)).collect();
        let mut widths: Vec<usize> = header_cells.iter().map(|c| c.width()).collect();
        for row in rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.width());
            }
        }
        let rule = |left: &str, fill: &str, join: &str, right: &str| {
            let parts: Vec<String> = widths.iter().map(|w| fill.repeat(w + 2)).collect();
            format!("{left}{}{right}", parts.join(join))
        };
        writeln!(out, "{}", rule("┌", "─", "┬", "┐"))?;
        self.print_row(out, &widths, &header_cells)?;
        writeln!(out, "{}", rule("╞", "═", "╪", "╡"))?;
        for row in rows {
            self.print_row(out, &widths, row)?;
        }
        writeln!(out, "{}", rule("└", "─", "┴", "┘"))
    }

    fn print_row(&self, out: &mut dyn Write, widths: &[usize], row: &[Cell]) -> io::Result<()> {
        let height = row
            .iter()
            .map(|c| c.text.lines().count())
            .max()
            .unwrap_or(1)
            .max(1);
        for n in 0..height {
            let mut line = String::from("│");
            for (i, &w) in widths.iter().enumerate() {
                let cell = row.get(i);
                let text = cell.and_then(|c| c.text.lines().nth(n)).unwrap_or("");
                let pad = w.saturating_sub(width(text));
                line.push(' ');
                if let Some(cell) = cell {
                    line.push_str(&cell.draw(text, self));
                }
                line.push_str(&" ".repeat(pad));
                line.push(' ');
                line.push(if i + 1 == widths.len() { '│' } else { '┆' });
            }
            writeln!(out, "{line}")?;
        }
        Ok(())
    }
}

/// The terminal's width in columns, if stdout is one.
fn terminal_width() -> Option<usize> {
    comfy_table::Table::new().width().map(usize::from)
}

/// One cell of a table: its text (lines separated by `\n`) and how to draw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    text: String,
    /// Text from a user, isolated on a terminal.
    user: bool,
    /// An SGR colour code, drawn only when the style has colour.
    color: Option<u8>,
    bold: bool,
}

impl Cell {
    /// A cell of claimdb's own text (an id, a status, a header): never isolated.
    pub fn plain(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            user: false,
            color: None,
            bold: false,
        }
    }

    /// The same cell in bold (when the style has colour).
    pub fn bold(mut self) -> Cell {
        self.bold = true;
        self
    }

    fn width(&self) -> usize {
        width_of_lines(&self.text)
    }

    /// One line of this cell as it is written: isolated and coloured as the style says.
    fn draw(&self, line: &str, style: &Style) -> String {
        let mut text = if self.user && style.isolate && !line.is_empty() {
            isolate(line)
        } else {
            line.to_owned()
        };
        if style.color {
            if let Some(code) = self.color {
                text = format!("\u{1b}[{code}m{text}\u{1b}[39m");
            }
            if self.bold {
                text = format!("\u{1b}[1m{text}\u{1b}[22m");
            }
        }
        text
    }
}

/// The width of the widest line of `text`.
fn width_of_lines(text: &str) -> usize {
    text.lines().map(width).max().unwrap_or(0)
}

fn column_widths(headers: &[&str], rows: &[Vec<String>]) -> Vec<usize> {
    let mut widths: Vec<usize> = headers.iter().map(|h| width(h)).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(width_of_lines(cell));
        }
    }
    widths
}

/// Wraps `text` in FSI … PDI, so that whatever it holds (right-to-left letters, an override
/// such as U+202E) is laid out inside it and cannot reorder what follows. A PDI in the text
/// that closes no isolate of its own is dropped, and isolates the text leaves open are closed,
/// so that the text cannot end the outer isolate early. (An embedding or override left open
/// inside ends at the closing PDI, by the bidi algorithm's rules.)
pub fn isolate(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 6);
    out.push('\u{2068}');
    let mut open = 0usize;
    for c in text.chars() {
        match c {
            '\u{2066}'..='\u{2068}' => open += 1,
            '\u{2069}' if open == 0 => continue,
            '\u{2069}' => open -= 1,
            _ => {}
        }
        out.push(c);
    }
    for _ in 0..open {
        out.push('\u{2069}');
    }
    out.push('\u{2069}');
    out
}

/// A status coloured by meaning (colour shows only when the style allows it).
pub fn status_cell(status: Status) -> Cell {
    let color = match status {
        Status::Unverified => None,
        Status::InReview => Some(36),
        Status::Verified => Some(32),
        Status::Misleading | Status::Disputed => Some(33),
        Status::False => Some(31),
        Status::Unverifiable => Some(35),
    };
    Cell {
        color,
        ..Cell::plain(status.to_string())
    }
}

/// Makes `text` one line of at most `max` columns (as terminals count them, see [`width`]),
/// ending with `…` when it was cut. It cuts between grapheme clusters, so a letter keeps its
/// harakat and an emoji stays whole.
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
    if width(&flat) <= max {
        return flat;
    }
    let mut out = String::new();
    let mut used = 0;
    for grapheme in flat.graphemes(true) {
        let w = width(grapheme);
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

    fn style(width: usize) -> Style {
        Style {
            width: Some(width),
            color: false,
            isolate: false,
        }
    }

    #[test]
    fn every_code_point_takes_its_own_cells() {
        // unicode-width's string width counts the lam-alef pair as one column; terminals draw two.
        assert_eq!(width("لا"), 2);
        assert_eq!(width("لأ لإ لآ"), 8);
        assert_eq!(width("تكبَّد"), 4, "harakat take no columns");
        assert_eq!(width("瓦格"), 4);
        assert_eq!(width("\u{2068}x\u{2069}"), 1);
    }

    #[test]
    fn truncation_keeps_graphemes_whole() {
        // Each Arabic letter here carries a shadda and a fatha: three code points, one column.
        let text = "تكبَّدت المجموعة";
        let cut = truncate(text, 4);
        assert_eq!(cut, "تكبَّ…");
        assert!(width(&cut) <= 4);
        assert_eq!(truncate("😀😀😀", 4), "😀…");
        assert_eq!(truncate("a\nb", 10), "a b");
        assert_eq!(truncate("short", 5), "short");
        assert_eq!(width(&truncate("لا لا لا لا", 6)), 6);
    }

    #[test]
    fn isolates_hold_overrides_and_stray_closers_in() {
        assert_eq!(isolate("CSIS"), "\u{2068}CSIS\u{2069}");
        assert_eq!(isolate("فاجنر"), "\u{2068}فاجنر\u{2069}");
        assert_eq!(
            isolate("Ministry\u{202e}"),
            "\u{2068}Ministry\u{202e}\u{2069}"
        );
        // A PDI of its own would end the outer isolate early and let the override out.
        assert_eq!(isolate("a\u{2069}\u{202e}b"), "\u{2068}a\u{202e}b\u{2069}");
        assert_eq!(isolate("\u{2067}x"), "\u{2068}\u{2067}x\u{2069}\u{2069}");
    }

    #[test]
    fn user_cells_are_isolated_only_when_the_style_says() {
        let mut out = Vec::new();
        let mut on = style(80);
        on.isolate = true;
        let rows = vec![vec![Cell::plain("1"), on.user("Ministry\u{202e}")]];
        on.print(&mut out, &["id", "name"], &rows).unwrap();
        let drawn = String::from_utf8(out).unwrap();
        assert!(
            drawn.contains("\u{2068}Ministry\u{202e}\u{2069}"),
            "{drawn}"
        );
        assert!(
            !drawn.contains("\u{2068}1"),
            "ids are not user text: {drawn}"
        );
        let mut out = Vec::new();
        style(80).print(&mut out, &["id", "name"], &rows).unwrap();
        assert!(!String::from_utf8(out).unwrap().contains('\u{2068}'));
    }

    #[test]
    fn rows_holding_lam_alef_line_up_with_the_others() {
        let rows = vec![
            vec![Cell::plain("1"), Cell::plain("لا")],
            vec![Cell::plain("2"), Cell::plain("ab")],
        ];
        let mut out = Vec::new();
        style(80).print(&mut out, &["id", "text"], &rows).unwrap();
        let drawn = String::from_utf8(out).unwrap();
        let widths: Vec<usize> = drawn.lines().map(width).collect();
        assert!(
            widths.iter().all(|w| *w == widths[0]),
            "{widths:?}\n{drawn}"
        );
    }

    #[test]
    fn even_fitting_cuts_only_the_widest_columns() {
        let mut rows = vec![vec![
            "2026-11-29T03:01:33Z".to_owned(),
            "a note long enough to need cutting".to_owned(),
            "another long value that must be cut".to_owned(),
        ]];
        style(50).fit_evenly(&["at", "note", "new"], &mut rows, &[0]);
        assert_eq!(rows[0][0], "2026-11-29T03:01:33Z");
        assert_eq!(
            rows[0].iter().map(|c| width(c)).sum::<usize>() + 10,
            50,
            "{rows:?}"
        );
        assert!(rows[0][1].ends_with('…') && rows[0][2].ends_with('…'));
    }

    #[test]
    fn the_text_keeps_half_the_width_and_gives_way_above_it_first() {
        let mut rows = vec![vec![
            "1".to_owned(),
            "Centre for Strategic and International Studies".to_owned(),
            "a long claim text that does not fit in the room it would otherwise be left with"
                .to_owned(),
        ]];
        style(60).fit(&["id", "claimant", "text"], &mut rows, 2, &[(1, 10)]);
        let widths: Vec<usize> = rows[0].iter().map(|c| width(c)).collect();
        // The id column is as wide as its header, "id"; borders and padding take 10.
        assert_eq!(widths.iter().sum::<usize>() + 1 + 10, 60, "{rows:?}");
        assert!(widths[2] >= 30, "{rows:?}");
        assert!(rows[0][1].ends_with('…') && rows[0][2].ends_with('…'));
        // A claimant that fits beside half the width keeps every letter.
        let mut rows = vec![vec![
            "1".to_owned(),
            "Malian army".to_owned(),
            "a long claim text that does not fit in the room it would otherwise be left with"
                .to_owned(),
        ]];
        style(60).fit(&["id", "claimant", "text"], &mut rows, 2, &[(1, 10)]);
        assert_eq!(rows[0][1], "Malian army");
        assert_eq!(width(&rows[0][2]), 60 - 10 - 2 - 11, "{rows:?}");
    }
}
