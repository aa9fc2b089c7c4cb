//! `claimdb search`: claims by the words a fact-checker remembers, best match first.

use super::Ctx;
use crate::output::Format;
use crate::query;
use crate::store::{ClaimFilter, SearchIndex};

/// `claimdb search QUERY [--limit N] [--archived]`
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  claimdb search مجموعة\n  \
    claimdb search '\"القاعدة الجوية\" باماكو'\n  claimdb search 'روس* -أوكرانيا' --limit 5\n  \
    claimdb search Segou --format json\n  claimdb search Moura --archived\n\n\
    Query syntax:\n  word        claims with the word (every word must match)\n  \
    \"a phrase\"  these words, next to each other, in this order\n  \
    word*       any word starting with these letters\n  \
    -word       claims without the word (also -\"a phrase\")\n\
    Nothing else is syntax: OR, NOT, NEAR, brackets and the like are searched as words.\n\n\
    Text is folded before it is compared: Arabic diacritics, tatweel and invisible marks are\n\
    ignored; أ إ آ ٱ match ا, ى matches ي, ة matches ه; Arabic-Indic digits match 0-9; the\n\
    article (ال, وال, بال, لل…) is not needed; Latin case and accents do not matter.\n\
    After the claims with the exact word come those with it behind an attached letter (بمورا\n\
    for مورا, and وقوات finds قوات), then other forms of it (مروحيات for مروحية, helicopters\n\
    for helicopter), then other spellings of a name (فاجنر for فاغنر, تمبكتو for تومبوكتو).\n\
    A word that names a source (or one of its aliases) also finds its other names.\n\
    A number (1000, ١٠٠٠) also finds the claims whose figures hold it: a claim recorded with\n\
    the figure نحو ألف is found by 1000, one with مئات (200-999) by 450.\n\
    Searched fields: text, translation, note, location, and every name and alias of the\n\
    claimant and of the sources that support or dispute the claim.")]
pub struct Args {
    /// What to look for (may start with - to exclude a word)
    #[arg(allow_hyphen_values = true)]
    pub query: String,
    /// At most this many claims
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub limit: u64,
    /// Only archived claims (otherwise they are left out)
    #[arg(long)]
    pub archived: bool,
}

/// Prints the matching claims, best first, each with a snippet of the matching text, as they
/// are found (a table a page at a time).
pub fn exec(args: Args, ctx: &mut Ctx) -> anyhow::Result<()> {
    let query = query::parse(&args.query)?;
    for note in &query.notes {
        ctx.out.note(note);
    }
    match ctx.store.search_index()? {
        SearchIndex::Current => {}
        SearchIndex::RebuiltOnWrite => ctx.out.note(
            "note: the search index of this read-only database was built by another version of \
             claimdb's folding rules, so some claims may not be found; open the database once \
             with write access (any command) to rebuild it",
        ),
        SearchIndex::RebuiltByMigrate => ctx.out.note(
            "note: the search documents of this team database were built by an older version \
             of claimdb's folding rules, so some claims may not be found; its owner rebuilds \
             them with `claimdb migrate`",
        ),
        SearchIndex::Newer => ctx.out.note(
            "note: the search documents of this team database were built by a newer claimdb's \
             folding rules, so some claims may not be found; upgrade claimdb",
        ),
    }
    let Ctx { store, out, .. } = ctx;
    let mut hits = out.search_hits()?;
    let mut filter = ClaimFilter::default();
    filter.desk.archived = args.archived;
    store.search(&query, &filter, args.limit, |hit| hits.push(hit))?;
    if hits.finish()? == 0 && out.format() == Format::Table {
        out.note("no claims match");
    }
    Ok(())
}
