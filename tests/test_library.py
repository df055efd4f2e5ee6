"""The library of agreed language: seed 004 read and imported with the counts
a careful reader makes, searched in Spanish and English (accents, word
forms, phrases, filters, near-duplicates grouped) with the same top results on
SQLite and PostgreSQL, fed by adoption, reused in proposals with provenance."""

from __future__ import annotations

import io
import subprocess
import sys
from collections import Counter
from pathlib import Path

import docx
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from drafting import services
from drafting.library import analysis
from drafting.library.seed004 import SeedError, read_seed004
from drafting.models import AgreedStatement, Event, Paragraph
from drafting.selectors.library import LibraryFilters, library_search
from drafting.services.library import library_statement_update
from tests.conftest import ROOT, World, agree_everything, needs_postgres
from workers.exporting import render_document

# shared/ lives next to the repository (as in CI); a clone elsewhere skips what needs the seed, as the
# other seed tests do, rather than failing the whole run at collection.
SEED = next((ROOT.parent / "shared" / "seeds").glob("004_*.txt"), None)

# Counted by reading the seed (not by running the reader): one row per
# statement in each theme's tables; rows split by page breaks counted once;
# "Integration", "Return" and "Social and Productive Reintegration" (XX RCM)
# are three rows of their own, the "• To develop contingency plans …" list
# with no meeting is the rest of "Return". The same statement filed under
# several themes counts once per theme, as the compilation lists it.
PER_THEME = {"TS1": 39, "TS2": 30, "TS3": 56, "TS4": 14, "TS5": 31, "TS6": 16}
PER_SUBTHEME_TS1 = {
    "Protecting the human rights of all migrants: access to justice; detention; the wellbeing of children": 11,
    "Ensuring social inclusion and cohesion in the context of migration": 14,
    "Confronting all forms of discrimination, including racism, xenophobia and intolerance against migrants": 7,
    "Addressing the specific needs and guaranteeing the human rights of migrants in vulnerable situations": 7,
}
TOTAL = 186
# The category was a colour code (principle / understanding / commitment) that
# the text extraction lost: no statement carries one, so all are unclassified.
PER_CATEGORY = {"unclassified": 186}
# 186 rows hold 129 distinct wordings (many are filed under several themes).
DISTINCT = 129


def seed_path() -> Path:
    if SEED is None:
        pytest.skip("shared/seeds/004 is not beside this checkout (shared/ lives next to the repository)")
    return SEED


def seed_text() -> str:
    return seed_path().read_text(encoding="utf-8")


# --- the reader (no database) -----------------------------------------------------
def test_the_reader_keeps_every_statement_with_its_theme_and_meeting() -> None:
    statements = read_seed004(seed_text())
    assert len(statements) == TOTAL
    assert Counter(s.theme for s in statements) == PER_THEME
    ts1 = Counter(s.subtheme for s in statements if s.theme == "TS1")
    assert ts1 == PER_SUBTHEME_TS1
    assert Counter(s.meeting for s in statements)["XXI RCM"] == 8
    assert all(s.year == 1995 + analysis_roman(s.meeting) for s in statements)
    for s in statements:  # no extraction debris left in a text
        assert "<" not in s.text and "*" not in s.text and "\t" not in s.text, s.line


def analysis_roman(meeting: str) -> int:
    from drafting.library.seed004 import ROMAN

    return ROMAN[meeting.split()[0]]


def test_rows_split_by_page_breaks_are_joined_whole() -> None:
    by_line = {s.line: s for s in read_seed004(seed_text())}
    child = by_line[113]  # its end is on a <p> line after a page break
    assert child.text.startswith("Ensuring the Best Interest of the Child")
    assert child.text.endswith("international protection where appropriate.")
    consult = by_line[183]  # meeting cell split into "I" and "RCM"
    assert consult.meeting == "I RCM" and consult.year == 1996
    assert "Directors of Migration (OCAM)" in consult.text
    protocol = by_line[359]
    assert protocol.meeting == "XVII RCM" and protocol.year == 2012
    assert protocol.text.endswith("from April 16-18, 2012.")
    ret = by_line[135]  # "Return", continued by a list with no meeting cell
    assert ret.text.startswith("Return:") and "To develop contingency plans" in ret.text
    assert ret.text.rstrip().endswith("orderly and safe return of migrants;")
    integration = by_line[134]
    assert integration.text.splitlines()[0] == "Integration:"
    assert len(integration.text.splitlines()) == 11  # the heading and its ten items


def test_cross_references_become_related_themes() -> None:
    by_line = {s.line: s for s in read_seed004(seed_text())}
    assert by_line[106].related_themes == ["TS3", "TS5"]  # "TS3 y TS5"
    assert by_line[174].related_themes == ["TS3"]  # "*TS3*"
    assert by_line[343].related_themes == ["TS3"]  # the typo "ST3"
    assert by_line[121].related_themes == ["TS2", "TS3", "TS4", "TS5", "TS6"]  # "all the other TSs"
    assert by_line[108].related_themes == []


def test_a_text_that_is_not_the_compilation_is_refused() -> None:
    with pytest.raises(SeedError):
        read_seed004("Declaration of San Salvador\n\nOP1. Promote safe migration.\n")
    broken = seed_text().replace("\tXXI RCM\t", "\tXXI\t", 1)
    with pytest.raises(SeedError, match="line"):
        read_seed004(broken)


def test_the_reader_and_the_analyser_run_without_django() -> None:
    code = (
        "import sys\n"
        "from drafting.library import analysis, seed004, citation\n"
        f"assert len(seed004.read_seed004(open({str(seed_path())!r}, encoding='utf-8').read())) == {TOTAL}\n"
        "assert analysis.stems('Protección de los migrantes', 'es') == ['proteccion', 'migrant']\n"
        "assert not [m for m in sys.modules if m == 'django' or m.startswith('django.')]\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_queries_are_parsed_like_websearch_to_tsquery() -> None:
    parsed = analysis.parse('"best interests" child or -detention migrants')
    assert analysis.fts5_match(parsed, "en", "en") == (
        'en : (("best interest" AND "child") OR (("migrant") NOT ("detent")))'
    )
    assert analysis.parse("  ").empty and analysis.parse("-only").empty
    # stop words alone leave nothing to search
    assert analysis.fts5_match(analysis.parse("of the"), "en", "en") is None
    # quotes cannot break out of the expression
    assert analysis.fts5_match(analysis.parse('x" OR "y'), "en", "en") == 'en : (("x") OR ("y"))'


# --- import into the database -----------------------------------------------------------
@pytest.fixture
def library(db: None) -> dict[str, AgreedStatement]:
    """Seed 004 imported, and the Spanish text of three statements added by
    the Secretariat (the compilation exists in English only)."""
    from django.contrib.auth.models import User

    services.library_import_seed004(text=seed_text())
    ts = User.objects.create_superuser("library-ts", password="x")
    spanish = {
        "XIII RCM": (
            "Vice-Ministers reiterated the importance of protecting the human rights of migrants.",
            "Los Viceministros reiteraron la importancia de la protección de los derechos humanos de los migrantes.",
        ),
        "XIX RCM": (
            "Consular Protection—Strengthen",
            "Protección consular: fortalecer las capacidades institucionales de protección consular, en particular "
            "la atención a niñas y niños no acompañados.",
        ),
        "XXI RCM": (
            "We agree to continue promoting safe, regular, and orderly migration",
            "Acordamos seguir promoviendo una migración segura, regular y ordenada en la región.",
        ),
    }
    found = {}
    for meeting, (english, text_es) in spanish.items():
        statement = AgreedStatement.objects.get(meeting_label=meeting, text_en__startswith=english)
        found[meeting] = library_statement_update(actor=ts, statement_id=statement.pk, changes={"text_es": text_es})
    return found


def test_the_command_imports_seed_004_with_exact_counts(db: None, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("import_library", str(seed_path()))
    assert AgreedStatement.objects.count() == TOTAL
    by_theme = Counter(AgreedStatement.objects.values_list("theme", flat=True))
    assert by_theme == PER_THEME
    assert Counter(AgreedStatement.objects.values_list("category", flat=True)) == PER_CATEGORY
    assert AgreedStatement.objects.filter(duplicate_of__isnull=True).count() == DISTINCT
    out = capsys.readouterr().out
    assert "186 statements added" in out and "TS3: 56" in out and "129 distinct wordings" in out
    call_command("import_library", str(seed_path()))  # again: nothing doubles
    assert AgreedStatement.objects.count() == TOTAL
    assert "0 statements added, 186 already" in capsys.readouterr().out
    xxi = AgreedStatement.objects.filter(meeting_label="XXI RCM")
    assert xxi.count() == 8 and set(xxi.values_list("year", flat=True)) == {2016}


def test_the_command_refuses_what_is_not_the_compilation(db: None, tmp_path: Path) -> None:
    other = tmp_path / "other.txt"
    other.write_text("Declaration of San Salvador\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Not the 2017 compilation"):
        call_command("import_library", str(other))
    with pytest.raises(CommandError, match="not a file"):
        call_command("import_library", str(tmp_path / "missing.txt"))
    assert AgreedStatement.objects.count() == 0


# --- search ------------------------------------------------------------------------------
def top(query: str, **filters: object) -> list[str]:
    results = library_search(query=query, filters=LibraryFilters(**filters))  # type: ignore[arg-type]
    return [h.statement.import_key for h in results.hits]


# The same queries, the same top results on both databases: each row runs on
# SQLite in the embedded suite and on PostgreSQL in .ci/run's second pass.
# (query, the import keys expected first, in order)
SAME_ON_BOTH = [
    # Spanish without its accents finds "protección"
    ("proteccion derechos humanos migrantes", ["seed004:TS1:9"]),
    ("PROTECCION CONSULAR ninos", ["seed004:TS3:53"]),
    # English word forms: "condemning" → condemn, "violation" → violations
    ("condemning violation", ["seed004:TS1:27"]),
    ("xenophobic attitudes", ["seed004:TS1:31"]),
    # a phrase: the words in this order only
    ('"best interests of the child"', ["seed004:TS6:16", "seed004:TS1:11"]),
    ('"regular and orderly migration"', ["seed004:TS3:29"]),
    # ranked alike: several matches, the same order
    ("shared responsibility", ["seed004:TS3:21", "seed004:TS3:30", "seed004:TS3:28"]),
    ("smuggling trafficking persons", ["seed004:TS3:17", "seed004:TS3:18", "seed004:TS2:11"]),
    ("consular -detention", ["seed004:TS3:53", "seed004:TS1:34", "seed004:TS1:4", "seed004:TS1:11"]),
]


@pytest.mark.parametrize(("query", "expected"), SAME_ON_BOTH)
def test_search_finds_the_statement_first(library: dict[str, AgreedStatement], query: str, expected: list[str]) -> None:
    assert top(query)[: len(expected)] == expected


def test_accents_and_word_forms_work_both_ways(library: dict[str, AgreedStatement]) -> None:
    xiii = library["XIII RCM"].import_key
    assert top("protección derechos")[0] == xiii == top("proteccion derechos")[0] == top("PROTECCIÓN DERECHO")[0]
    assert top("acordamos migracion segura")[0] == library["XXI RCM"].import_key
    # "protecting" (a verb) and "protections" find "protecting the human rights"
    assert xiii in top("protections human rights migrants vice-ministers")[:3]
    assert top("smuggler") == top("smugglers")


def test_a_phrase_needs_its_words_in_order(library: dict[str, AgreedStatement]) -> None:
    assert len(top("child best interests")) >= 2
    assert top('"child best interests"') == []


def test_filters_narrow_the_results(library: dict[str, AgreedStatement]) -> None:
    everything = library_search(query="trafficking")
    in_ts5 = library_search(query="trafficking", filters=LibraryFilters(theme="TS5"), limit=100)
    assert 0 < in_ts5.total < everything.total
    assert {h.statement.theme for h in in_ts5.hits} == {"TS5"}
    assert {h.statement.year for h in library_search(query="migration", filters=LibraryFilters(year=2016)).hits} == {
        2016
    }
    assert {
        h.statement.meeting_label for h in library_search(query="", filters=LibraryFilters(meeting="XIX RCM")).hits
    } == {"XIX RCM"}
    assert library_search(query="trafficking", filters=LibraryFilters(category="commitment")).total == 0
    assert library_search(query="", filters=LibraryFilters(still_valid=False)).total == 0


@pytest.mark.parametrize("overfetch", [(4, 20), (0, 0)], ids=["top-n", "window"])
def test_pages_follow_each_other_and_count_groups(
    library: dict[str, AgreedStatement], monkeypatch: pytest.MonkeyPatch, overfetch: tuple[int, int]
) -> None:
    from drafting.selectors import library as library_selectors

    whole = library_search(query="migration", limit=100)
    assert whole.total == len({h.statement.duplicate_of_id or h.statement.pk for h in whole.hits}) > 20
    # both ways of paging (the best few by rank collapsed here; the window
    # query over every match) give the same pages
    monkeypatch.setattr(library_selectors, "_OVERFETCH", overfetch[0])
    monkeypatch.setattr(library_selectors, "_OVERFETCH_MIN", overfetch[1])
    paged = []
    for offset in range(0, whole.total, 7):
        page = library_search(query="migration", limit=7, offset=offset)
        assert page.total == whole.total
        paged += [h.statement.pk for h in page.hits]
    assert paged == [h.statement.pk for h in whole.hits]
    assert library_search(query="migration", limit=7, offset=whole.total).hits == []
    browse = library_search(query="", limit=100)
    assert browse.total == DISTINCT  # adding the Spanish texts regrouped nothing
    assert [h.statement.year for h in browse.hits] == sorted((h.statement.year for h in browse.hits), reverse=True)


def test_near_duplicates_come_back_as_one_hit(library: dict[str, AgreedStatement]) -> None:
    results = library_search(query="meaningful dialogue Puebla Process")
    assert results.total == 1
    hit = results.hits[0]
    themes = {hit.statement.theme, *(d.theme for d in hit.duplicates)}
    assert themes == {"TS1", "TS2", "TS3", "TS4", "TS5", "TS6"}


def test_hostile_queries_are_answered_or_refused_cleanly(library: dict[str, AgreedStatement]) -> None:
    for query in ['"', "-", "or or or", "NEAR(a b)", "en:x", "*", "a" * 400, "' OR 1=1 --", "(((", "ñ"]:
        library_search(query=query)
    from drafting.errors import InvalidInput

    with pytest.raises(InvalidInput):
        library_search(query="x" * 501)


@needs_postgres
@pytest.mark.postgres
def test_postgres_full_text_search_gives_the_same_top_results(library: dict[str, AgreedStatement]) -> None:
    assert connection.vendor == "postgresql"
    assert library_search(query="migrants").engine == "postgresql"
    for query, expected in SAME_ON_BOTH:
        assert top(query)[: len(expected)] == expected, query


# --- adoption feeds the library -----------------------------------------------------------
def test_an_adopted_declaration_files_its_operative_paragraphs_with_their_source(world: World) -> None:
    agree_everything(world)
    revision = services.revision_issue_from_working_text(actor=world.users["ppt"], declaration=world.declaration)
    services.adoption_propose(actor=world.users["ppt"], declaration=world.declaration, revision_id=revision.pk)
    services.adoption_adopt(actor=world.users["ppt"], declaration=world.declaration)
    filed = list(AgreedStatement.objects.filter(declaration=world.declaration).order_by("paragraph_label"))
    assert [s.paragraph_label for s in filed] == ["Decision 1", "Decision 2", "Decision 3"]
    first = filed[0]
    assert first.text_es == "Promote safe, orderly and regular migration, item 1." and first.text_en == ""
    assert first.meeting_label == world.meeting.title and first.year == world.meeting.start_date.year
    assert first.declaration_title == "Declaration of San Salvador" and first.origin == "adopted"
    assert first.paragraph is not None and first.paragraph.declaration_id == world.declaration.pk
    assert top('"item 2"') == [f"paragraph:{filed[1].paragraph_id}"]
    assert Event.objects.filter(verb="library.filed", declaration=world.declaration).count() == 1


# --- reuse: a proposal built from a statement --------------------------------------------
def test_a_proposal_from_agreed_language_shows_its_source_in_the_api_and_the_compilation(world: World) -> None:
    services.library_import_seed004(text=seed_text())
    statement = AgreedStatement.objects.get(import_key="seed004:TS3:29")
    AgreedStatement.objects.filter(pk=statement.pk).update(paragraph_label="Decision 12")
    paragraph = world.paragraph_ids()[-1]
    mex = world.client("mex")
    answer = mex.post(
        f"/api/library/{statement.pk}/propose/",
        {"declaration": world.declaration.pk, "revision": world.revision.pk, "paragraph": paragraph},
        format="json",
    )
    assert answer.status_code == 201, answer.content
    proposal = answer.json()
    assert proposal["text"] == statement.text_en  # the declaration's language lacks it: the English text
    assert proposal["agreed_language"] == {"statement": statement.pk, "citation": "XXI RCM (2016), Decision 12"}
    again = mex.get(f"/api/proposals/{proposal['id']}/").json()
    assert again["agreed_language"]["citation"] == "XXI RCM (2016), Decision 12"
    working = mex.get(f"/api/declarations/{world.declaration.pk}/working-text/").json()
    pending = [q for s in working["sections"] for p in s["paragraphs"] for q in p["proposals"]]
    assert [q["agreed_language"] for q in pending] == ["XXI RCM (2016), Decision 12"]
    compilation = docx.Document(
        io.BytesIO(render_document(declaration_id=world.declaration.pk, kind="compilation", language="en"))
    )
    lines = [p.text for p in compilation.paragraphs]
    assert "Agreed language: XXI RCM (2016), Decision 12" in lines
    record = docx.Document(
        io.BytesIO(render_document(declaration_id=world.declaration.pk, kind="record", language="en"))
    )
    cells = [c.text for row in record.tables[0].rows for c in row.cells]
    assert any("agreed language: XXI RCM (2016), Decision 12" in c for c in cells)


def test_a_paragraph_that_repeats_agreed_language_says_so(world: World) -> None:
    services.library_import_seed004(text=seed_text())
    statement = AgreedStatement.objects.get(import_key="seed004:TS3:29")
    target = Paragraph.objects.get(pk=world.paragraph_ids()[-1])
    Paragraph.objects.filter(pk=target.pk).update(
        text="We agree to continue promoting safe, regular and orderly migration within the region. We are certain "
        "that well-managed migration offers significant economic, social and cultural benefits."
    )
    answer = world.client("can").get(f"/api/paragraphs/{target.pk}/").json()
    assert answer["agreed_language"][0]["statement"] == statement.pk
    assert answer["agreed_language"][0]["citation"] == "XXI RCM (2016)"
    assert answer["agreed_language"][0]["similarity"] >= 0.6
    other = world.client("can").get(f"/api/paragraphs/{world.paragraph_ids()[1]}/").json()
    assert other["agreed_language"] == []


# --- API: who may read and edit ---------------------------------------------------------------
def test_anyone_signed_in_reads_only_the_secretariat_edits(world: World) -> None:
    services.library_import_seed004(text=seed_text())
    statement = AgreedStatement.objects.get(import_key="seed004:TS3:29")
    for role in ("rncom", "iom", "mex", "ts"):
        answer = world.client(role).get("/api/library/", {"q": "shared responsibility", "theme": "TS3"})
        assert answer.status_code == 200 and answer.json()["count"] >= 1
    assert world.client(None).get("/api/library/").status_code in (401, 403)
    for role in ("rncom", "mex", "ppt"):
        refused = world.client(role).patch(f"/api/library/{statement.pk}/", {"category": "commitment"}, format="json")
        assert refused.status_code == 403 and refused.json()["error"] == "forbidden"
    ts = world.client("ts")
    edited = ts.patch(
        f"/api/library/{statement.pk}/",
        {"category": "commitment", "tags": ["shared responsibility"], "version": 1},
        format="json",
    )
    assert edited.status_code == 200, edited.content
    assert edited.json()["category"] == "commitment" and edited.json()["version"] == 2
    stale = ts.patch(f"/api/library/{statement.pk}/", {"category": "principle"}, HTTP_IF_MATCH='"1"', format="json")
    assert stale.status_code == 409 and stale.json()["current_version"] == 2
    odd = ts.patch(f"/api/library/{statement.pk}/", {"category": "principle"}, HTTP_IF_MATCH='"²"', format="json")
    assert odd.status_code == 400
    newer = AgreedStatement.objects.get(import_key="seed004:TS3:30")
    superseded = ts.patch(f"/api/library/{statement.pk}/", {"superseded_by": newer.pk}, format="json").json()
    assert superseded["still_valid"] is False and superseded["superseded_by"] == newer.pk
    for bad in ({"superseded_by": statement.pk}, {"text_en": ""}, {"theme": "TS9"}, {"year": "x"}, {"tags": [""]}):
        answer = ts.patch(f"/api/library/{statement.pk}/", bad, format="json")
        assert answer.status_code == 400, (bad, answer.content)
    assert ts.get("/api/library/99999999/").status_code == 404
    assert ts.get("/api/library/", {"q": "x" * 501}).status_code == 400
    assert ts.get("/api/library/", {"theme": "TS9"}).status_code == 400
    assert AgreedStatement.objects.get(pk=statement.pk).category == "commitment"


def test_proposing_agreed_language_follows_the_proposal_rules(world: World) -> None:
    services.library_import_seed004(text=seed_text())
    statement = AgreedStatement.objects.get(import_key="seed004:TS3:29")
    body = {"declaration": world.declaration.pk, "revision": world.revision.pk, "paragraph": world.paragraph_ids()[-1]}
    assert world.client("iom").post(f"/api/library/{statement.pk}/propose/", body, format="json").status_code == 403
    assert world.client("mex").post("/api/library/99999999/propose/", body, format="json").status_code == 404
    deletion = world.client("mex").post(
        f"/api/library/{statement.pk}/propose/", {**body, "kind": "delete"}, format="json"
    )
    assert deletion.status_code == 400
    own = world.client("mex").post(
        f"/api/library/{statement.pk}/propose/", {**body, "text": "Our adaptation of it."}, format="json"
    )
    assert own.status_code == 201 and own.json()["text"] == "Our adaptation of it."
    assert own.json()["agreed_language"]["statement"] == statement.pk
