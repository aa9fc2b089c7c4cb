//! Writes N realistic claims in claimdb's CSV format to stdout, for benchmarks and load tests.
//!
//! `cargo run --release --example gen-claims -- 1000000 [--seed 42] > claims-1m.csv`
//!
//! The same N and seed always give the same bytes (a small seeded PRNG, no clock, no hash-map
//! order), so two machines benchmark the same file. Rows are streamed: memory stays flat for any N.
//! Text mixes Arabic words (from the article in the repository's seed data) with English, and
//! carries commas, quotes and now and then a line break, so the CSV quoting paths are exercised.

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use claimdb::model::{Qualifier, Status};

/// Arabic vocabulary: the words of a news article about Mali, embedded so the example needs no
/// file at run time.
const ARTICLE: &str = include_str!("../bench/article.ar.txt");

const ENGLISH: &[&str] = &[
    "troops",
    "deployed",
    "near",
    "the airport",
    "according to",
    "officials",
    "said",
    "at least",
    "fighters",
    "were killed",
    "in clashes",
    "base",
    "convoy",
    "reported",
    "villagers",
    "fled",
    "the army",
    "denied",
    "sources",
    "confirmed",
    "drone strike",
    "civilians",
    "contractors",
    "arrived",
    "last week",
    "in the north",
    "mining site",
    "gold",
    "training",
    "instructors",
];

/// About twenty bodies that make, support or dispute claims.
const SOURCES: &[&str] = &[
    "Malian Armed Forces",
    "Ministry of Defence (Mali)",
    "French Ministry of Armed Forces",
    "U.S. Department of State",
    "UN MINUSMA",
    "UN Panel of Experts",
    "Human Rights Watch",
    "Amnesty International",
    "ACLED",
    "CSIS",
    "Crisis Group",
    "Reuters",
    "AFP",
    "Al Jazeera",
    "الجزيرة",
    "وزارة الدفاع المالية",
    "Wagner Group",
    "Russian Foreign Ministry",
    "ECOWAS",
    "Local officials (Mopti)",
];

const UNITS: &[&str] = &[
    "troops",
    "people",
    "fighters",
    "km",
    "USD",
    "aircraft",
    "مقاتل",
];
const LOCATIONS: &[&str] = &[
    "Bamako",
    "Mopti",
    "Gao",
    "Timbuktu",
    "Ménaka",
    "Kidal",
    "Ségou",
    "باماكو",
    "موبتي",
    "Moura",
];
const TAGS: &[&str] = &[
    "wagner",
    "troops",
    "airbase",
    "casualties",
    "mining",
    "drones",
    "elections",
    "aid",
    "displacement",
    "sanctions",
    "فاجنر",
];

/// The columns written: the import columns a newsroom feed would carry.
const HEADER: &[&str] = &[
    "text",
    "translation",
    "claimant",
    "supported_by",
    "disputed_by",
    "status",
    "value",
    "unit",
    "qualifier",
    "location",
    "claim_date",
    "tags",
    "note",
];

struct Args {
    count: u64,
    seed: u64,
}

fn parse_args() -> Result<Args, String> {
    let usage = "usage: gen-claims N [--seed S]";
    let mut count = None;
    let mut seed = 1;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--seed" {
            let value = args
                .next()
                .ok_or(format!("--seed needs a number; {usage}"))?;
            seed = value
                .parse()
                .map_err(|_| format!("--seed {value:?} is not a whole number; {usage}"))?;
        } else if count.is_none() {
            count = Some(
                arg.replace('_', "")
                    .parse()
                    .map_err(|_| format!("{arg:?} is not a number of claims; {usage}"))?,
            );
        } else {
            return Err(format!("unexpected argument {arg:?}; {usage}"));
        }
    }
    Ok(Args {
        count: count.ok_or(usage)?,
        seed,
    })
}

/// Builds one claim text of about `target` characters.
fn claim_text(rng: &mut fastrand::Rng, arabic: &[&str], text: &mut String, target: usize) {
    text.clear();
    let english = rng.u8(..4) == 0;
    while text.chars().count() < target {
        if !text.is_empty() {
            match rng.u8(..40) {
                0..=3 => text.push_str(", "),
                4 if !english => text.push_str("، "),
                5 => text.push_str(" \""),
                6 => text.push_str("\" "),
                7 if rng.u8(..6) == 0 => text.push('\n'),
                _ => text.push(' '),
            }
        }
        if english || rng.u8(..8) == 0 {
            text.push_str(ENGLISH[rng.usize(..ENGLISH.len())]);
        } else {
            text.push_str(arabic[rng.usize(..arabic.len())]);
        }
        if rng.u8(..12) == 0 {
            // A figure, as articles give them.
            text.push(' ');
            text.push_str(&rng.u32(10..5000).to_string());
        }
    }
}

/// `k` distinct sources other than the claimant, joined with `;`.
fn sources_other_than(rng: &mut fastrand::Rng, taken: &mut Vec<usize>, k: usize) -> String {
    let mut names = Vec::with_capacity(k);
    while names.len() < k {
        let i = rng.usize(..SOURCES.len());
        if !taken.contains(&i) {
            taken.push(i);
            names.push(SOURCES[i]);
        }
    }
    names.join(";")
}

fn write_claims(args: &Args, out: impl Write) -> csv::Result<()> {
    let arabic: Vec<&str> = ARTICLE
        .split(|c: char| c.is_whitespace() || "،,.:؛\"()«»".contains(c))
        .filter(|w| !w.is_empty())
        .collect();
    let mut rng = fastrand::Rng::with_seed(args.seed);
    let mut out = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(out);
    out.write_record(HEADER)?;
    let (mut text, mut translation) = (String::new(), String::new());
    let mut taken = Vec::new();
    for _ in 0..args.count {
        let target = rng.usize(100..160);
        claim_text(&mut rng, &arabic, &mut text, target);
        let has_translation = rng.u8(..3) == 0;
        if has_translation {
            let mut en = fastrand::Rng::with_seed(rng.u64(..));
            translation.clear();
            while translation.len() < 90 {
                if !translation.is_empty() {
                    translation.push(' ');
                }
                translation.push_str(ENGLISH[en.usize(..ENGLISH.len())]);
            }
        }
        let claimant = rng.usize(..SOURCES.len());
        taken.clear();
        taken.push(claimant);
        let supported = match rng.u8(..10) {
            0..=5 => String::new(),
            6..=8 => sources_other_than(&mut rng, &mut taken, 1),
            _ => sources_other_than(&mut rng, &mut taken, 2),
        };
        let disputed = match rng.u8(..10) {
            0..=6 => String::new(),
            7..=8 => sources_other_than(&mut rng, &mut taken, 1),
            _ => sources_other_than(&mut rng, &mut taken, 2),
        };
        let status = Status::ALL[rng.usize(..Status::ALL.len())].as_str();
        let (value, unit, qualifier) = if rng.u8(..2) == 0 {
            let value = if rng.u8(..4) == 0 {
                format!("{}.{}", rng.u32(1..100), rng.u8(1..10))
            } else {
                rng.u32(1..20_000).to_string()
            };
            let qualifier = if rng.u8(..5) == 0 {
                ""
            } else {
                Qualifier::ALL[rng.usize(..Qualifier::ALL.len())].as_str()
            };
            (value, UNITS[rng.usize(..UNITS.len())], qualifier)
        } else {
            (String::new(), "", "")
        };
        let location = if rng.u8(..3) == 0 {
            ""
        } else {
            LOCATIONS[rng.usize(..LOCATIONS.len())]
        };
        let year = rng.u16(2019..2027);
        let claim_date = match rng.u8(..6) {
            0 => String::new(),
            1 => year.to_string(),
            2 => format!("{year}-{:02}", rng.u8(1..13)),
            // Day 28 at most, so every generated date is in the calendar.
            _ => format!("{year}-{:02}-{:02}", rng.u8(1..13), rng.u8(1..29)),
        };
        let mut tags: Vec<&str> = Vec::new();
        for _ in 0..rng.usize(..4) {
            let tag = TAGS[rng.usize(..TAGS.len())];
            if !tags.contains(&tag) {
                tags.push(tag);
            }
        }
        let note = match rng.u8(..10) {
            0 => "Figure from a single unnamed source, \"not confirmed\" independently",
            1 => "مصدر محلي، لم يتم التحقق منه",
            _ => "",
        };
        out.write_record([
            text.as_str(),
            if has_translation { &translation } else { "" },
            SOURCES[claimant],
            &supported,
            &disputed,
            status,
            &value,
            unit,
            qualifier,
            location,
            &claim_date,
            &tags.join(";"),
            note,
        ])?;
    }
    out.flush()?;
    Ok(())
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            #[allow(clippy::print_stderr)]
            {
                eprintln!("error: {message}");
            }
            return ExitCode::from(2);
        }
    };
    let stdout = io::stdout().lock();
    match write_claims(&args, BufWriter::with_capacity(1 << 16, stdout)) {
        Ok(()) => ExitCode::SUCCESS,
        // `gen-claims 1000000 | head` is not an error.
        Err(e) if matches!(e.kind(), csv::ErrorKind::Io(io) if io.kind() == io::ErrorKind::BrokenPipe) => {
            ExitCode::SUCCESS
        }
        Err(e) => {
            #[allow(clippy::print_stderr)]
            {
                eprintln!("error: writing claims failed: {e}");
            }
            ExitCode::FAILURE
        }
    }
}
