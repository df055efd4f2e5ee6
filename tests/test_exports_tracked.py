"""Track changes as real Word revision marks: accept-all gives the new revision, reject-all the old one."""

from __future__ import annotations

import copy
import io
import zipfile
from datetime import UTC, datetime, timedelta, timezone

import docx
import pytest
from docx.oxml.ns import qn
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree  # type: ignore[import-untyped]

from exports.tracked import TrackedParagraph, render_tracked, word_date

PPT = "Honduras"
ISSUED = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
MEXICO_AT = datetime(2026, 11, 19, 16, 5, 12, tzinfo=timezone(timedelta(hours=-6)))  # 22:05:12 UTC
CANADA_AT = datetime(2026, 11, 19, 17, 0, tzinfo=UTC)

W_P, W_PPR, W_RPR = qn("w:p"), qn("w:pPr"), qn("w:rPr")
W_INS, W_DEL, W_T, W_DELTEXT = qn("w:ins"), qn("w:del"), qn("w:t"), qn("w:delText")


# -- accept / reject over the document XML -------------------------------------


def body_of(data: bytes) -> etree._Element:
    """A private copy of the document body, opened with python-docx."""
    return copy.deepcopy(docx.Document(io.BytesIO(data)).element.body)


def mark_of(paragraph: etree._Element) -> etree._Element | None:
    """The ``w:ins``/``w:del`` on the paragraph mark, if any."""
    properties = paragraph.find(f"{W_PPR}/{W_RPR}")
    if properties is None:
        return None
    for child in properties:
        if child.tag in (W_INS, W_DEL):
            return child
    return None


def unwrap(element: etree._Element) -> None:
    parent = element.getparent()
    assert parent is not None
    index = parent.index(element)
    for child in reversed(list(element)):
        parent.insert(index, child)
    parent.remove(element)


def remove(element: etree._Element) -> None:
    parent = element.getparent()
    assert parent is not None
    parent.remove(element)


def accept_all(body: etree._Element) -> etree._Element:
    """Word's "Accept all changes": deletions go, insertions stay as ordinary text."""
    for paragraph in list(body.iter(W_P)):
        mark = mark_of(paragraph)
        if mark is not None and mark.tag == W_DEL:
            remove(paragraph)
    for mark in list(body.iter(W_DEL)):
        remove(mark)
    for mark in list(body.iter(W_INS)):
        if mark.getparent() is not None and mark.getparent().tag == W_RPR:
            remove(mark)
        else:
            unwrap(mark)
    return body


def reject_all(body: etree._Element) -> etree._Element:
    """Word's "Reject all changes": insertions go, deleted text comes back."""
    for paragraph in list(body.iter(W_P)):
        mark = mark_of(paragraph)
        if mark is not None and mark.tag == W_INS:
            remove(paragraph)
    for mark in list(body.iter(W_INS)):
        remove(mark)
    for text in list(body.iter(W_DELTEXT)):
        text.tag = W_T
    for mark in list(body.iter(W_DEL)):
        if mark.getparent() is not None and mark.getparent().tag == W_RPR:
            remove(mark)
        else:
            unwrap(mark)
    return body


def paragraph_text(paragraph: etree._Element) -> str:
    out: list[str] = []
    for node in paragraph.iter():
        if node.tag in (W_T, W_DELTEXT):
            out.append(node.text or "")
        elif node.tag == qn("w:tab"):
            out.append("\t")
        elif node.tag == qn("w:br"):
            out.append("\n")
    return "".join(out)


HEADING = len(list(body_of(render_tracked([], [], default_author=PPT, default_date=ISSUED)).iter(W_P)))


def texts(body: etree._Element) -> list[str]:
    """The tracked paragraphs' texts (after the heading)."""
    return [paragraph_text(p) for p in body.findall(W_P)][HEADING:]


def printed(paragraphs: list[TrackedParagraph]) -> list[str]:
    return [f"{p.label}\t{p.text}" if p.label else p.text for p in paragraphs]


def marks(paragraph: etree._Element) -> set[tuple[str, str, str]]:
    found = set()
    for node in paragraph.iter(W_INS, W_DEL):
        found.add((etree.QName(node).localname, node.get(qn("w:author")) or "", node.get(qn("w:date")) or ""))
    return found


def find_paragraph(body: etree._Element, needle: str) -> etree._Element:
    hits = [p for p in body.findall(W_P) if needle in paragraph_text(p)]
    assert len(hits) == 1, (needle, [paragraph_text(p) for p in hits])
    return hits[0]


# -- a revision with every kind of change ---------------------------------------

OLD = [
    TrackedParagraph(1, "PP1", "Recordando la Declaración de Tegucigalpa de la XXI\u00a0CRM,"),
    TrackedParagraph(2, "OP1", "Los Estados miembros promoverán una migración ordenada y segura;"),
    TrackedParagraph(
        3, "OP2", "Reconocen la contribución de las personas migrantes 🌎 a las economías\u00a0nacionales;"
    ),
    TrackedParagraph(4, "OP3", "Solicitan a la Secretaría Técnica un informe anual;"),
    TrackedParagraph(5, "OP4", "Agradecen al Gobierno de Honduras su hospitalidad."),
]
NEW = [
    TrackedParagraph(1, "PP1", "Recordando la Declaración de Tegucigalpa de la XXI\u00a0CRM,"),
    TrackedParagraph(2, "OP1", "Los Estados miembros promoverán una migración regular y segura;", "México", MEXICO_AT),
    TrackedParagraph(
        3, "OP2", "Reconocen la contribución de las personas migrantes 🌍 a las economías\u00a0nacionales;"
    ),
    TrackedParagraph(6, "OP2 bis", "Alientan la cooperación con la OIM y el ACNUR 🤝;", "Canada", CANADA_AT),
    TrackedParagraph(5, "OP3", "Agradecen al Gobierno de Honduras su hospitalidad."),
]


@pytest.fixture(scope="module")
def rendered() -> bytes:
    return render_tracked(OLD, NEW, default_author=PPT, default_date=ISSUED, deleted_by={4: ("Panamá", None)})


def test_accept_all_gives_the_new_revision_exactly(rendered: bytes) -> None:
    assert texts(accept_all(body_of(rendered))) == printed(NEW)


def test_reject_all_gives_the_old_revision_exactly(rendered: bytes) -> None:
    assert texts(reject_all(body_of(rendered))) == printed(OLD)


def test_a_changed_word_is_marked_word_by_word(rendered: bytes) -> None:
    body = body_of(rendered)
    paragraph = find_paragraph(body, "Los Estados miembros")
    assert [t.text for t in paragraph.iter(W_DELTEXT)] == ["ordenada"]
    assert [t.text for ins in paragraph.iter(W_INS) for t in ins.iter(W_T)] == ["regular"]
    assert marks(paragraph) == {("ins", "México", "2026-11-19T22:05:12Z"), ("del", "México", "2026-11-19T22:05:12Z")}
    assert mark_of(paragraph) is None


def test_emoji_change_is_attributed_to_the_ppt(rendered: bytes) -> None:
    paragraph = find_paragraph(body_of(rendered), "Reconocen")
    assert [t.text for t in paragraph.iter(W_DELTEXT)] == ["🌎"]
    assert marks(paragraph) == {("ins", PPT, "2026-11-20T09:30:00Z"), ("del", PPT, "2026-11-20T09:30:00Z")}


def test_an_inserted_paragraph_is_wholly_inserted_with_its_mark(rendered: bytes) -> None:
    paragraph = find_paragraph(body_of(rendered), "Alientan")
    mark = mark_of(paragraph)
    assert mark is not None and mark.tag == W_INS
    assert marks(paragraph) == {("ins", "Canada", "2026-11-19T17:00:00Z")}
    runs = [child for child in paragraph if child.tag != W_PPR]
    assert [child.tag for child in runs] == [W_INS]


def test_a_deleted_paragraph_is_wholly_deleted_with_its_mark(rendered: bytes) -> None:
    paragraph = find_paragraph(body_of(rendered), "Solicitan")
    mark = mark_of(paragraph)
    assert mark is not None and mark.tag == W_DEL
    assert marks(paragraph) == {("del", "Panamá", "2026-11-20T09:30:00Z")}
    assert list(paragraph.iter(W_T)) == []  # all deleted text is w:delText
    assert paragraph_text(paragraph) == "OP3\tSolicitan a la Secretaría Técnica un informe anual;"


def test_a_renumbered_label_is_tracked(rendered: bytes) -> None:
    paragraph = find_paragraph(body_of(rendered), "Agradecen")
    assert [t.text for t in paragraph.iter(W_DELTEXT)] == ["OP4"]
    assert "OP3" in [t.text for ins in paragraph.iter(W_INS) for t in ins.iter(W_T)]


def test_every_mark_has_author_date_and_a_unique_id(rendered: bytes) -> None:
    body = body_of(rendered)
    nodes = list(body.iter(W_INS, W_DEL))
    assert nodes
    ids = [node.get(qn("w:id")) for node in nodes]
    assert len(set(ids)) == len(ids)
    for node in nodes:
        assert node.get(qn("w:author")) in {PPT, "México", "Canada", "Panamá"}
        assert datetime.fromisoformat(node.get(qn("w:date")) or "").tzinfo is not None


def test_unchanged_paragraphs_carry_no_marks(rendered: bytes) -> None:
    assert marks(find_paragraph(body_of(rendered), "Recordando")) == set()


def test_track_revisions_is_switched_on(rendered: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(rendered)) as package:
        settings_xml = etree.fromstring(package.read("word/settings.xml"))
    assert settings_xml.find(qn("w:trackRevisions")) is not None


def test_moved_paragraph_is_deleted_there_and_inserted_here() -> None:
    old = [
        TrackedParagraph("a", "OP1", "Uno."),
        TrackedParagraph("b", "OP2", "Dos."),
        TrackedParagraph("c", "", "Tres."),
    ]
    new = [TrackedParagraph("c", "", "Tres, ahora."), TrackedParagraph("a", "OP1", "Uno."), old[1]]
    data = render_tracked(old, new, default_author=PPT, default_date=ISSUED)
    assert texts(accept_all(body_of(data))) == printed(new)
    assert texts(reject_all(body_of(data))) == printed(old)


def test_illegal_xml_characters_do_not_crash() -> None:
    old = [TrackedParagraph(1, "OP1", "Texto\x01 con\x0b control\x00 y \ufffe"), TrackedParagraph(2, "OP2", "Dos\f.")]
    new = [
        TrackedParagraph(1, "OP1\x02", "Texto\x01 con control"),
        TrackedParagraph(3, "OP3", "Nuevo\x1f.", "Chile\x07"),
    ]
    data = render_tracked(old, new, default_author="PPT\x03", default_date=ISSUED, title="Rev.2\x04")
    assert texts(accept_all(body_of(data))) == ["OP1\tTexto con control", "OP3\tNuevo."]
    assert texts(reject_all(body_of(data))) == ["OP1\tTexto con\n control y ", "OP2\tDos\n."]
    assert {node.get(qn("w:author")) for node in body_of(data).iter(W_INS, W_DEL)} == {"PPT", "Chile"}


def test_naive_dates_are_read_as_utc() -> None:
    assert word_date(datetime(2026, 1, 2, 3, 4, 5, 678)) == "2026-01-02T03:04:05Z"


def test_duplicate_ids_are_refused() -> None:
    with pytest.raises(ValueError):
        render_tracked(
            [TrackedParagraph(1, "", "a"), TrackedParagraph(1, "", "b")], [], default_author=PPT, default_date=ISSUED
        )


def test_the_file_reopens_in_python_docx(rendered: bytes) -> None:
    document = docx.Document(io.BytesIO(rendered))
    assert document.paragraphs[0].text == "Track changes"
    assert "Honduras" in "".join(p.text for p in document.sections[0].header.paragraphs)


# -- property: random word edits -------------------------------------------------

WORDS = st.sampled_from(["migración", "regular", "y", "segura", "🌎", "niñas", "a\u00a0b", "OIM", ",", ";", "Estados"])
TEXTS = st.lists(WORDS, max_size=8).map(" ".join)


@st.composite
def revisions(draw: st.DrawFn) -> tuple[list[TrackedParagraph], list[TrackedParagraph]]:
    old_texts = draw(st.lists(TEXTS, max_size=6))
    old = [TrackedParagraph(i, f"OP{i}", text) for i, text in enumerate(old_texts)]
    new: list[TrackedParagraph] = []
    for paragraph in old:
        action = draw(st.sampled_from(["keep", "edit", "delete", "relabel"]))
        if action == "keep":
            new.append(paragraph)
        elif action == "edit":
            words = paragraph.text.split(" ")
            position = draw(st.integers(0, len(words)))
            replaced = draw(st.lists(WORDS, max_size=3))
            cut = draw(st.integers(0, 2))
            words[position : position + cut] = replaced
            new.append(
                TrackedParagraph(
                    paragraph.id, paragraph.label, " ".join(words), draw(st.sampled_from([None, "Mexico"]))
                )
            )
        elif action == "relabel":
            new.append(TrackedParagraph(paragraph.id, paragraph.label + " bis", paragraph.text))
    for n in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(new)))
        new.insert(at, TrackedParagraph(100 + n, draw(st.sampled_from(["", "OP9 bis"])), draw(TEXTS), "Canada"))
    if draw(st.booleans()):
        new = draw(st.permutations(new))
    return old, new


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(revisions())
def test_accept_and_reject_round_trip_random_edits(pair: tuple[list[TrackedParagraph], list[TrackedParagraph]]) -> None:
    old, new = pair
    data = render_tracked(old, new, default_author=PPT, default_date=ISSUED)
    assert texts(accept_all(body_of(data))) == printed(new)
    assert texts(reject_all(body_of(data))) == printed(old)
    for node in body_of(data).iter(W_INS, W_DEL):
        assert node.get(qn("w:author")) in {PPT, "Mexico", "Canada"}
        assert node.get(qn("w:date")) == word_date(ISSUED)
