#!/usr/bin/env bash
# claimdb benchmark: claimdb beside sqlite3 and sqlite-utils, on this machine, in one run.
#
#   bench/run.sh            1,000,000 claims (writes bench/RESULTS.md)
#   bench/run.sh --quick    100,000 claims
#
# Environment:
#   N=300             number of claims (overrides the default and --quick)
#   CLAIMDB=path      use this claimdb binary instead of building the release one
#   BEFORE=path       another claimdb binary (an earlier version) timed beside it in the same
#                     run: the table gets a "before" column (imports, memory, queries, size)
#   GEN="cmd args"    the generator command (default: the release gen-claims example)
#   CSV=path          use this claims file instead of generating one (N is then its row count)
#   SEED=1            generator seed
#   RUNS=5            runs per quick command; IMPORT_RUNS=3 runs per import and export
#   WORK=bench/work   where the CSV files and databases go (ignored by git)
#   SQLITE_UTILS=0    skip sqlite-utils (otherwise it is installed with pip into bench/.venv)
#   RESULTS=path      also write the table here (default: bench/RESULTS.md for a full run)
#   TIME_CMD=path     GNU time, for peak memory (default /usr/bin/time)
#   PG=postgres://…   a PostgreSQL server (a superuser's address) for the team-mode rows: the
#                     import of PG_N claims (default 10,000) beside psql \copy into a bare table,
#                     and list/show/search there (default: CLAIMDB_TEST_POSTGRES; none: skipped)
#
# Timings are medians: hyperfine when it is installed, otherwise a loop timed with date +%s%N.
# Missing tools (hyperfine, sqlite3, sqlite-utils, /usr/bin/time) skip their rows with a notice.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
cd "$root"

n_default=1000000
for arg in "$@"; do
    case "$arg" in
        --quick) n_default=100000 ;;
        -h | --help) sed -n '2,20p' "$0"; exit 0 ;;
        *) echo "bench/run.sh: unknown argument $arg (try --quick)" >&2; exit 2 ;;
    esac
done
N=${N:-$n_default}
SEED=${SEED:-1}
RUNS=${RUNS:-5}
IMPORT_RUNS=${IMPORT_RUNS:-3}
WORK=${WORK:-$here/work}
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)

notice() { echo "bench: $*" >&2; }
have() { command -v "$1" >/dev/null 2>&1; }

# ----- build --------------------------------------------------------------------------------
if [[ -z "${CLAIMDB:-}" ]]; then
    notice "building the release binary and generator"
    cargo build --quiet --release --bin claimdb --example gen-claims >&2
    CLAIMDB=$root/target/release/claimdb
fi
[[ $CLAIMDB == */* ]] && CLAIMDB=$(realpath "$CLAIMDB")
BEFORE=${BEFORE:-}
[[ $BEFORE == */* ]] && BEFORE=$(realpath "$BEFORE")
[[ -n ${CSV:-} ]] && CSV=$(realpath "$CSV")
GEN=${GEN:-$root/target/release/examples/gen-claims}
SQLITE3=$(command -v sqlite3 || true)
[[ -n "$SQLITE3" ]] || notice "sqlite3 is not installed: its rows are skipped"
have hyperfine || notice "hyperfine is not installed: timing with a loop of $RUNS runs"
TIME=${TIME_CMD:-/usr/bin/time}
[[ -x $TIME ]] || { notice "$TIME is missing (apt-get install time): peak memory is skipped"; TIME=; }

# ----- data ---------------------------------------------------------------------------------
columns="text,translation,claimant,supported_by,disputed_by,status,value,unit,qualifier,location,claim_date,tags,note"
if [[ -n "${CSV:-}" ]]; then
    csv=$CSV
    csv_small=
else
    csv=$WORK/claims-$N.csv
    small=$((N / 10))
    csv_small=$WORK/claims-$small.csv
    for f in "$csv:$N" "$csv_small:$small"; do
        file=${f%%:*} count=${f##*:}
        if [[ ! -s $file ]]; then
            notice "generating $count claims (seed $SEED) into $file"
            $GEN "$count" --seed "$SEED" >"$file.tmp"
            mv "$file.tmp" "$file"
        fi
    done
fi
# For the import into a database that holds the small file's claims: as many other claims.
more=
if [[ -n $csv_small ]]; then
    more=$WORK/claims-$small-more.csv
    if [[ ! -s $more ]]; then
        notice "generating $small more claims (seed $((SEED + 1))) into $more"
        $GEN "$small" --seed "$((SEED + 1))" >"$more.tmp"
        mv "$more.tmp" "$more"
    fi
fi
db=$WORK/claimdb.db
bare=$WORK/sqlite3.db
tiny=$WORK/tiny.db

# ----- timing -------------------------------------------------------------------------------
# median_ms RUNS PREPARE COMMAND: the median wall time of COMMAND in milliseconds, with PREPARE
# (a command, or empty for none) run before each run.
median_ms() {
    local runs=$1 prepare=$2 cmd=$3
    if have hyperfine; then
        local out=$WORK/hyperfine.csv opts=(--style none --runs "$runs")
        if [[ -n $prepare ]]; then
            opts+=(--prepare "$prepare")
        else
            opts+=(--warmup 1)
        fi
        # Without a shell in between (-N) unless a command redirects or chains: a command of a few
        # milliseconds is then measured, not the shell. -N applies to PREPARE too, and the
        # preparations chain commands, so a prepared run keeps the shell (its runs take seconds).
        [[ -n $prepare || $cmd == *">"* ]] || opts+=(-N)
        hyperfine "${opts[@]}" --export-csv "$out" "$cmd" >/dev/null 2>&1 ||
            { notice "failed: $cmd"; echo "failed"; return; }
        # command,mean,stddev,median,user,system,min,max: the command is quoted and may hold commas.
        tail -n 1 "$out" | awk -F, '{ printf "%.1f\n", $(NF-4) * 1000 }'
    else
        local times=() i start end
        for ((i = 0; i < runs; i++)); do
            [[ -z $prepare ]] || bash -c "$prepare"
            start=$(date +%s%N)
            bash -c "$cmd" >/dev/null 2>&1 || { notice "failed: $cmd"; echo "failed"; return; }
            end=$(date +%s%N)
            times+=($(((end - start) / 1000)))
        done
        printf '%s\n' "${times[@]}" | sort -n |
            awk '{ t[NR] = $1 } END { m = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2; printf "%.1f\n", m / 1000 }'
    fi
}

# peak_mb COMMAND: the maximum resident set size of COMMAND in MB.
peak_mb() {
    [[ -n $TIME ]] || { echo "skipped"; return; }
    local log=$WORK/time.log
    $TIME -v bash -c "$1" >/dev/null 2>"$log" || { notice "failed: $1"; echo "failed"; return; }
    awk -F: '/Maximum resident set size/ { printf "%.1f\n", $2 / 1024 }' "$log"
}

# before_ms RUNS PREPARE COMMAND: median_ms of the same command (and preparation) run with the
# BEFORE binary in place of claimdb, on databases of its own (WORK/before-NAME for WORK/NAME: a
# claimdb of an older schema refuses a newer database); empty without BEFORE.
before_ms() {
    [[ -n $BEFORE ]] || return 0
    local from="'$CLAIMDB'" to="'$BEFORE'"
    local own="s#'$WORK/\\([^'/]*\\.db\\(-wal\\|-shm\\|-journal\\)\\?\\)'#'$WORK/before-\\1'#g"
    median_ms "$1" "$(sed "$own" <<<"${2//"$from"/"$to"}")" "$(sed "$own" <<<"${3//"$from"/"$to"}")"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else print "–" }'; }
mb() { awk -v b="$(stat -c %s "$1")" 'BEGIN { printf "%.1f", b / 1048576 }'; }
secs() { awk -v m="$1" 'BEGIN { if (m + 0 >= 1000) printf "%.2f s", m / 1000; else if (m + 0 > 0) printf "%.1f ms", m; else print m }'; }
ms() { awk -v m="$1" 'BEGIN { if (m + 0 > 0) printf "%.1f ms", m; else print m }'; }
# verdict VALUE OP LIMIT
verdict() { awk -v v="$1" -v l="$3" -v op="$2" 'BEGIN { if (v == "–" || v + 0 == 0) print "–"; else if ((op == "<=" && v + 0 <= l + 0) || (op == ">=" && v + 0 >= l + 0)) print "met"; else print "**missed**" }'; }

rows=()
# row MEASURE CLAIMDB REFERENCE RATIO TARGET VERDICT [BEFORE]
row() {
    if [[ -n $BEFORE ]]; then
        rows+=("| $1 | ${7:-–} | $2 | $3 | $4 | $5 | $6 |")
    else
        rows+=("| $1 | $2 | $3 | $4 | $5 | $6 |")
    fi
}
rm_db() { echo "rm -f '$1' '$1-wal' '$1-shm' '$1-journal'"; }

# Commands run in the work folder and name the file as a user would, relative: the history of
# each imported claim records "import of FILE line N" with FILE as given.
cd "$WORK"
[[ $csv == "$WORK"/* ]] && csv=${csv#"$WORK"/}
[[ -n $csv_small && $csv_small == "$WORK"/* ]] && csv_small=${csv_small#"$WORK"/}
claimdb_import="'$CLAIMDB' --quiet --db '$db' import '$csv'"

# ----- 1. import ----------------------------------------------------------------------------
b_claimdb=
if [[ -n $BEFORE ]]; then
    notice "import: the claimdb before ($IMPORT_RUNS runs)"
    b_claimdb=$(before_ms "$IMPORT_RUNS" "$(rm_db "$db")" "$claimdb_import")
    b_size=$(mb "$WORK/before-${db#"$WORK"/}")
fi
notice "import: claimdb ($IMPORT_RUNS runs)"
t_claimdb=$(median_ms "$IMPORT_RUNS" "$(rm_db "$db")" "$claimdb_import")
# The last run leaves the database that the queries below read.
[[ -s $db ]] || bash -c "$claimdb_import"
rows_in_db=$("$CLAIMDB" --quiet --db "$db" --format json stats | tr -d ' \n' | sed 's/^{"claims":\([0-9]*\).*/\1/')

t_sqlite=
if [[ -n $SQLITE3 ]]; then
    notice "import: sqlite3 .import ($IMPORT_RUNS runs)"
    sqlite_import="'$SQLITE3' '$bare' 'CREATE TABLE claims (${columns//,/, });' '.import --csv --skip 1 $csv claims'"
    t_sqlite=$(median_ms "$IMPORT_RUNS" "$(rm_db "$bare")" "$sqlite_import")
    [[ -s $bare ]] || bash -c "$sqlite_import"
    row "import $rows_in_db claims" "$(secs "$t_claimdb")" "$(secs "$t_sqlite") (sqlite3 .import, bare table)" \
        "$(ratio "$t_claimdb" "$t_sqlite")×" "≤ 3×" "$(verdict "$(ratio "$t_claimdb" "$t_sqlite")" "<=" 3)" \
        "$(secs "$b_claimdb")"
else
    row "import $rows_in_db claims" "$(secs "$t_claimdb")" "skipped: no sqlite3" "–" "≤ 3×" "–" "$(secs "$b_claimdb")"
fi

su=
if [[ ${SQLITE_UTILS:-1} != 0 ]]; then
    if [[ ! -x $here/.venv/bin/sqlite-utils ]]; then
        notice "installing sqlite-utils into bench/.venv"
        { python3 -m venv "$here/.venv" && "$here/.venv/bin/pip" install --quiet sqlite-utils; } >&2 ||
            notice "could not install sqlite-utils"
    fi
    [[ -x $here/.venv/bin/sqlite-utils ]] && su=$here/.venv/bin/sqlite-utils
fi
if [[ -n $su ]]; then
    notice "import: sqlite-utils insert --csv (1 run: it is slow)"
    su_db=$WORK/sqlite-utils.db
    t_su=$(median_ms 1 "$(rm_db "$su_db")" "'$su' insert '$su_db' claims '$csv' --csv")
    speedup=$(ratio "$t_su" "$t_claimdb")
    row "import $rows_in_db claims" "$(secs "$t_claimdb")" "$(secs "$t_su") (sqlite-utils insert --csv)" \
        "$speedup× faster" "≥ 10× faster" "$(verdict "$speedup" ">=" 10)"
    rm -f "$su_db"
else
    notice "sqlite-utils is not available: its row is skipped"
    row "import $rows_in_db claims" "$(secs "$t_claimdb")" "skipped: no sqlite-utils" "–" "≥ 10× faster" "–"
fi

# ----- 1b. import into a database that already holds claims -----------------------------------
# The small file's claims are stored; a second file as large (another seed) brings new ones.
# The floor: sqlite3 .import of the same new rows into a bare table holding the first file's.
if [[ -n $csv_small ]]; then
    more=${more#"$WORK"/}
    base=$WORK/base.db grown=$WORK/grown.db
    bash -c "$(rm_db "$base")"
    "$CLAIMDB" --quiet --db "$base" import "$csv_small" >/dev/null
    if [[ -n $BEFORE ]]; then
        bash -c "$(rm_db "$WORK/before-base.db")"
        "$BEFORE" --quiet --db "$WORK/before-base.db" import "$csv_small" >/dev/null
    fi
    grow="$(rm_db "$grown") && cp '$base' '$grown'"
    grow_cmd="'$CLAIMDB' --quiet --db '$grown' import '$more'"
    notice "import into a database of $small claims: claimdb ($IMPORT_RUNS runs)"
    t_grow=$(median_ms "$IMPORT_RUNS" "$grow" "$grow_cmd")
    b_grow=$(before_ms "$IMPORT_RUNS" "$grow" "$grow_cmd")
    if [[ -n $SQLITE3 ]]; then
        bare_base=$WORK/sqlite3-base.db bare_grown=$WORK/sqlite3-grown.db
        bash -c "$(rm_db "$bare_base")"
        "$SQLITE3" "$bare_base" "CREATE TABLE claims (${columns//,/, });" ".import --csv --skip 1 $csv_small claims"
        t_grow_floor=$(median_ms "$IMPORT_RUNS" "$(rm_db "$bare_grown") && cp '$bare_base' '$bare_grown'" \
            "'$SQLITE3' '$bare_grown' '.import --csv --skip 1 $more claims'")
        row "import $small new claims into $small" "$(secs "$t_grow")" \
            "$(secs "$t_grow_floor") (sqlite3 .import, bare table of $small)" \
            "$(ratio "$t_grow" "$t_grow_floor")×" "≤ 4×" "$(verdict "$(ratio "$t_grow" "$t_grow_floor")" "<=" 4)" \
            "$(secs "$b_grow")"
        rm -f "$bare_base" "$bare_grown"
    else
        row "import $small new claims into $small" "$(secs "$t_grow")" "skipped: no sqlite3" "–" "≤ 4×" "–" \
            "$(secs "$b_grow")"
    fi
    bash -c "$(rm_db "$base") && $(rm_db "$grown")"
    bash -c "$(rm_db "$WORK/before-base.db") && $(rm_db "$WORK/before-grown.db")"
fi

# ----- 2. peak memory -----------------------------------------------------------------------
notice "import: peak memory"
scratch=$WORK/rss.db
for f in "$csv" $csv_small; do
    bash -c "$(rm_db "$scratch")"
    peak=$(peak_mb "'$CLAIMDB' --quiet --db '$scratch' import '$f'")
    b_peak=
    if [[ -n $BEFORE ]]; then
        bash -c "$(rm_db "$scratch")"
        b_peak="$(peak_mb "'$BEFORE' --quiet --db '$scratch' import '$f'") MB"
    fi
    count=$(basename "$f" .csv)
    row "peak RSS, import of ${count#claims-}" "$peak MB" "" "" "≤ 100 MB" "$(verdict "$peak" "<=" 100)" "$b_peak"
done
bash -c "$(rm_db "$scratch")"

# ----- 3. reading the big database ----------------------------------------------------------
id=$(((rows_in_db + 1) / 2))
for q in "list --status disputed --limit 50" "list --disputed --limit 50" "show $id" "stats"; do
    notice "query: $q"
    t=$(median_ms "$RUNS" "" "'$CLAIMDB' --db '$db' $q")
    b=$(before_ms "$RUNS" "" "'$CLAIMDB' --db '$db' $q")
    row "\`$q\` on $rows_in_db claims" "$(ms "$t")" "" "" "≤ 30 ms" "$(verdict "$t" "<=" 30)" "$(ms "$b")"
done
# A rarer and a very common word of the generator's vocabulary (taken from the seed article).
for q in "search موديبو --limit 20" "search مالي --limit 20" "similar $id"; do
    notice "query: $q"
    t=$(median_ms "$RUNS" "" "'$CLAIMDB' --db '$db' $q >/dev/null")
    b=$(before_ms "$RUNS" "" "'$CLAIMDB' --db '$db' $q >/dev/null")
    row "\`$q\` on $rows_in_db claims" "$(ms "$t")" "" "" "≤ 30 ms" "$(verdict "$t" "<=" 30)" "$(ms "$b")"
done

notice "export"
t_export=$(median_ms "$IMPORT_RUNS" "" "'$CLAIMDB' --db '$db' export >/dev/null")
b_export=$(before_ms "$IMPORT_RUNS" "" "'$CLAIMDB' --db '$db' export >/dev/null")
if [[ -n $SQLITE3 ]]; then
    t_dump=$(median_ms "$IMPORT_RUNS" "" "'$SQLITE3' -csv '$bare' 'SELECT * FROM claims' >/dev/null")
    row "export $rows_in_db claims" "$(secs "$t_export")" "$(secs "$t_dump") (sqlite3 -csv, bare table)" \
        "$(ratio "$t_export" "$t_dump")×" "≤ 2×" "$(verdict "$(ratio "$t_export" "$t_dump")" "<=" 2)" \
        "$(secs "$b_export")"
else
    row "export $rows_in_db claims" "$(secs "$t_export")" "skipped: no sqlite3" "–" "≤ 2×" "–" "$(secs "$b_export")"
fi

# ----- extract on a long article ---------------------------------------------------------------
# The seed article (a copy ships with the tests) repeated to about 1 MB, and half and a quarter of
# it: the time should grow in proportion (linear) and stay under a second for 1 MB.
seed_article=${SEED_ARTICLE:-$root/tests/fixtures/extract/article.ar.txt}
if [[ -s $seed_article ]]; then
    for kb in 256 512 1024; do
        article=$WORK/article-$kb.txt
        if [[ ! -s $article ]]; then
            : >"$article"
            while (($(stat -c %s "$article") < kb * 1024)); do cat "$seed_article" >>"$article"; done
        fi
        notice "extract: $kb KB article"
        t=$(median_ms "$RUNS" "" "'$CLAIMDB' extract '$article' --published 2022-04-10 >/dev/null")
        row "\`extract\` of a $kb KB article" "$(ms "$t")" "" "" "linear; ≤ 1 s at 1 MB" \
            "$(verdict "$t" "<=" 1000)"
    done
else
    notice "the seed article is not at $seed_article: the extract rows are skipped"
fi

# ----- 4. fixed cost ------------------------------------------------------------------------
notice "fixed cost"
bash -c "$(rm_db "$tiny")"
printf 'text,claimant\n"A short claim, for timing",Reuters\n' | "$CLAIMDB" --quiet --db "$tiny" import -
t=$(median_ms "$RUNS" "" "'$CLAIMDB' --version")
row "\`claimdb --version\`" "$(ms "$t")" "" "" "≤ 5 ms" "$(verdict "$t" "<=" 5)"
t=$(median_ms "$RUNS" "" "'$CLAIMDB' --db '$tiny' show 1")
row "\`show 1\` on a 1-claim database" "$(ms "$t")" "" "" "≤ 5 ms" "$(verdict "$t" "<=" 5)"

# ----- 5. size ------------------------------------------------------------------------------
size_ratio=$(ratio "$(stat -c %s "$db")" "$(stat -c %s "$csv")")
bare_size="–"
[[ -s $bare ]] && bare_size="$(mb "$bare") MB (sqlite3 bare table)"
row "database size" "$(mb "$db") MB" "$(mb "$csv") MB CSV; $bare_size" "$size_ratio× the CSV" "≤ 2×" \
    "$(verdict "$size_ratio" "<=" 2)" "${b_size:+$b_size MB}"

# ----- 6. team mode: PostgreSQL -------------------------------------------------------------
pg=${PG:-${CLAIMDB_TEST_POSTGRES:-}}
if [[ -n $pg ]] && have psql && psql "$pg" -qAtc "SELECT 1" >/dev/null 2>&1; then
    pg_n=${PG_N:-10000}
    pg_csv=$WORK/claims-pg-$pg_n.csv
    [[ -s $pg_csv ]] || head -n "$((pg_n + 1))" "$csv" >"$pg_csv"
    pg_db=claimdb_bench_$$
    pg_addr=$(python3 -c 'import sys, urllib.parse as u; p = u.urlparse(sys.argv[1]); print(p._replace(path="/" + sys.argv[2]).geturl())' "$pg" "$pg_db")
    pg_fresh="psql '$pg' -qc 'DROP DATABASE IF EXISTS $pg_db' -c 'CREATE DATABASE $pg_db' >/dev/null 2>&1 && '$CLAIMDB' --quiet --db '$pg_addr' team init >/dev/null"
    notice "team mode: claimdb import of $pg_n claims into PostgreSQL ($IMPORT_RUNS runs)"
    pg_import="'$CLAIMDB' --quiet --db '$pg_addr' import '$pg_csv'"
    [[ -z $BEFORE ]] || notice "team mode: the claimdb before ($IMPORT_RUNS runs)"
    b_pg=$(before_ms "$IMPORT_RUNS" "$pg_fresh" "$pg_import")
    t_pg=$(median_ms "$IMPORT_RUNS" "$pg_fresh" "$pg_import")
    # The last run leaves the database the queries below read.
    notice "team mode: psql \\copy into a bare table ($IMPORT_RUNS runs)"
    echo "\\copy bare FROM '$pg_csv' CSV HEADER" >"$WORK/copy.psql"
    bare_table="CREATE TABLE bare (${columns//,/ text, } text)"
    t_copy=$(median_ms "$IMPORT_RUNS" "psql '$pg_addr' -qc 'DROP TABLE IF EXISTS bare' -c '$bare_table'" \
        "psql '$pg_addr' -q -f '$WORK/copy.psql'")
    pg_rows=$("$CLAIMDB" --quiet --db "$pg_addr" --format json stats | tr -d ' \n' | sed 's/^{"claims":\([0-9]*\).*/\1/')
    row "team mode: import $pg_rows claims into PostgreSQL" "$(secs "$t_pg")" "$(secs "$t_copy") (psql \\copy, bare table)" \
        "$(ratio "$t_pg" "$t_copy")×" "≤ 3×" "$(verdict "$(ratio "$t_pg" "$t_copy")" "<=" 3)" "$(secs "$b_pg")"
    for q in "list --disputed --limit 50" "show $(((pg_rows + 1) / 2))" "stats" "search soldiers --limit 20"; do
        notice "team mode query: $q"
        t=$(median_ms "$RUNS" "" "'$CLAIMDB' --db '$pg_addr' $q")
        b=$(before_ms "$RUNS" "" "'$CLAIMDB' --db '$pg_addr' $q")
        row "team mode: \`$q\` on $pg_rows claims" "$(ms "$t")" "" "" "≤ 30 ms" "$(verdict "$t" "<=" 30)" "$(ms "$b")"
    done
    psql "$pg" -qc "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null 2>&1 || true
else
    notice "no PostgreSQL server (PG or CLAIMDB_TEST_POSTGRES) answers: the team-mode rows are skipped"
    row "team mode: import into PostgreSQL" "skipped: no server" "" "–" "≤ 3×" "–"
fi

# ----- report -------------------------------------------------------------------------------
cpu=$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || echo unknown)
mem=$(awk '/MemTotal/ { printf "%.1f GB", $2 / 1048576 }' /proc/meminfo 2>/dev/null || echo unknown)
# Every optional tool is asked only behind `have`: under `set -e` a missing one would end the run.
if have hyperfine; then
    timer="hyperfine $(hyperfine --version 2>/dev/null | awk '{ print $2 }')"
else
    timer="a shell loop (date +%s%N)"
fi
table=$(
    echo "## claimdb benchmark: $rows_in_db claims"
    echo
    echo "Machine: $(nproc) cores, $cpu, $mem memory; $(rustc --version 2>/dev/null || echo 'rustc unknown');"
    echo "$("$CLAIMDB" --version); $("${SQLITE3:-false}" --version 2>/dev/null | awk '{ print "sqlite3 " $1 }' || true);"
    echo "medians of $IMPORT_RUNS runs (imports, export) and $RUNS runs (queries) with $timer; $(date -u +%Y-%m-%d)."
    echo
    if [[ -n $BEFORE ]]; then
        echo "Before: $("$BEFORE" --version) at $BEFORE, timed in the same run."
        echo
        echo "| measure | before | claimdb | reference | ratio | target | |"
        echo "|---|---:|---:|---|---:|---|---|"
    else
        echo "| measure | claimdb | reference | ratio | target | |"
        echo "|---|---:|---|---:|---|---|"
    fi
    printf '%s\n' "${rows[@]}"
)
echo "$table"
results=${RESULTS:-}
[[ -z $results && -z ${CSV:-} && $N == 1000000 ]] && results=$here/RESULTS.md
if [[ -n $results ]]; then
    {
        echo "# Benchmark results"
        echo
        echo "The last full run of \`bench/run.sh\` (see the README section \"Benchmarks\")."
        echo
        echo "$table"
    } >"$results"
    notice "wrote $results"
fi
