"""The document's language: its labels, how it writes dates and times, and
the ``w:lang`` tags that make Word proof it with the right dictionary.

Every word a renderer prints that is not text of the declaration comes from
:func:`words` (Spanish and English side by side, so a label added in one
language and forgotten in the other fails ``tests/test_exports_bilingual``).
Month names are written here rather than taken from the system locale
(``strftime('%B')`` follows the server's locale, not the document's) or from
Babel (a dependency for twelve words).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.text.paragraph import Paragraph as DocxParagraph
from docx.text.run import Run
from lxml.etree import SubElement  # type: ignore[import-untyped]

from exports.data import Language

__all__ = [
    "BOTH",
    "LANGUAGES",
    "LANGUAGE_TAGS",
    "Choice",
    "format_date",
    "format_datetime",
    "local_time",
    "other_language",
    "revision_label",
    "state_name",
    "tag_document",
    "tag_runs",
    "words",
]

Choice = Literal["es", "en", "both"]
LANGUAGES: tuple[Language, ...] = ("es", "en")
BOTH: Choice = "both"
# Spanish as written in Latin America and the Caribbean (the RCM's members), US English.
LANGUAGE_TAGS: dict[str, str] = {"es": "es-419", "en": "en-US"}
LANGUAGE_NAMES: dict[str, str] = {"es": "Español", "en": "English"}

_MONTHS = {
    "es": [
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ],
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
}

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "presidency": "Presidency Pro-Témpore",  # as the RCM's own letterhead writes it
        "draft": "Draft — not agreed",
        "reservation": "Reservation by {delegation}: {text}",
        "explanations": "EXPLANATIONS OF POSITION",
        "compilation": "Compilation text",
        "zero_draft": "Zero draft",
        "working_text": "Working text after {label}",
        "against": "{new} against {old}",
        "tracked": "Track changes",
        "record": "Negotiation record",
        "record_when": "When",
        "record_who": "Who",
        "record_delegation": "Delegation",
        "record_what": "What",
        "record_paragraph": "Paragraph",
        "times_in": "Times in {zone}.",
        "proposed_by": "Proposed by {delegation}",
        "supported_by": "supported by {names}",
        "objection": "objection",
        "objections": "objections",
        "agreed_language": "Agreed language: {source}",
        "reservation_short": "Reservation ({delegation}): {text}",
        "replace": "Replace with",
        "insert_after": "Insert a new paragraph after",
        "delete": "Delete the paragraph",
        "alternative": "Alternative",
        "translation_missing": "Translation pending: the original {language} text is shown.",
        "translation_stale": "Translation not yet brought in line with the latest {language} wording.",
        "proposal_language": "(in {language})",
        "language_es": "Spanish",
        "language_en": "English",
        "issued": "Issued {date}",
        "pending": "[Translation pending]",
        "stale_short": "Translation to be updated.",
    },
    "es": {
        "presidency": "Presidencia Pro Tempore",
        "draft": "Borrador — no acordado",
        "reservation": "Reserva de {delegation}: {text}",
        "explanations": "EXPLICACIONES DE POSICIÓN",
        "compilation": "Texto de compilación",
        "zero_draft": "Proyecto cero",
        "working_text": "Texto de trabajo posterior a {label}",
        "against": "{new} frente a {old}",
        "tracked": "Control de cambios",
        "record": "Registro de la negociación",
        "record_when": "Fecha y hora",
        "record_who": "Quién",
        "record_delegation": "Delegación",
        "record_what": "Qué",
        "record_paragraph": "Párrafo",
        "times_in": "Horas en {zone}.",
        "proposed_by": "Propuesto por {delegation}",
        "supported_by": "con el apoyo de {names}",
        "objection": "objeción",
        "objections": "objeciones",
        "agreed_language": "Lenguaje acordado: {source}",
        "reservation_short": "Reserva ({delegation}): {text}",
        "replace": "Sustituir por",
        "insert_after": "Insertar un nuevo párrafo después",
        "delete": "Suprimir el párrafo",
        "alternative": "Alternativa",
        "translation_missing": "Traducción pendiente: se muestra el texto original en {language}.",
        "translation_stale": "Traducción aún no actualizada a la última redacción en {language}.",
        "proposal_language": "(en {language})",
        "language_es": "español",
        "language_en": "inglés",
        "issued": "Emitido el {date}",
        "pending": "[Traducción pendiente]",
        "stale_short": "Traducción por actualizar.",
    },
}

STATES: dict[str, dict[str, str]] = {
    "en": {
        "open": "open",
        "under_discussion": "under discussion",
        "bracketed": "bracketed",
        "agreed_ad_ref": "agreed ad ref",
        "agreed": "agreed",
        "held": "held",
        "reopened": "reopened",
        "deleted": "deleted",
    },
    "es": {
        "open": "abierto",
        "under_discussion": "en discusión",
        "bracketed": "entre corchetes",
        "agreed_ad_ref": "acordado ad ref",
        "agreed": "acordado",
        "held": "en suspenso",
        "reopened": "reabierto",
        "deleted": "suprimido",
    },
}

# The negotiation record's verbs (drafting's enumerated event types), in Spanish;
# English prints the verb itself ("proposal submitted").
VERBS_ES: dict[str, str] = {
    "proposal submitted": "propuesta presentada",
    "proposal accepted": "propuesta aceptada",
    "proposal rejected": "propuesta rechazada",
    "proposal withdrawn": "propuesta retirada",
    "proposal supported": "propuesta apoyada",
    "proposal objected": "objeción a la propuesta",
    "proposal support withdrawn": "apoyo retirado",
    "proposal objection withdrawn": "objeción retirada",
    "proposal superseded": "propuesta sustituida",
    "proposal incorporated": "propuesta incorporada",
    "proposal conflicted": "propuesta en conflicto",
    "proposal needs refit": "propuesta por reajustar",
    "proposal cites agreed language": "la propuesta cita lenguaje acordado",
    "revision issued": "revisión emitida",
    "declaration created": "declaración creada",
    "declaration adopted": "declaración adoptada",
    "discussion set": "párrafo en discusión",
    "paragraph agree": "párrafo acordado",
    "paragraph agreed": "párrafo acordado",
    "paragraph changed": "párrafo modificado",
    "paragraph objected": "objeción al párrafo",
    "paragraph objection withdrawn": "objeción al párrafo retirada",
    "paragraph bracket": "párrafo entre corchetes",
    "paragraph open": "párrafo abierto",
    "paragraph reopen": "párrafo reabierto",
    "paragraph hold": "párrafo en suspenso",
    "adoption proposed": "adopción propuesta",
    "adoption objected": "objeción a la adopción",
    "adoption objection withdrawn": "objeción a la adopción retirada",
    "adoption withdrawn": "adopción retirada",
    "silence launched": "procedimiento de silencio iniciado",
    "silence broken": "silencio roto",
    "statement reservation": "reserva",
    "statement explanation": "explicación de posición",
    "import requested": "importación solicitada",
    "import ready": "importación leída",
    "import confirmed": "importación confirmada",
    "import corrected": "importación corregida",
    "translation updated": "traducción actualizada",
}


def words(language: str) -> dict[str, str]:
    return WORDS.get(language, WORDS["en"])


def other_language(language: str) -> Language:
    return "en" if language == "es" else "es"


def language_name(language: str, *, in_language: str) -> str:
    """ "Spanish" / "español": ``language`` named in ``in_language``."""
    return words(in_language)[f"language_{language}"] if language in LANGUAGES else language


def state_name(state: str, language: str) -> str:
    return STATES.get(language, STATES["en"]).get(state, state.replace("_", " "))


def record_verb(what: str, language: str) -> str:
    """A record line's verb in the document's language; sentences the event wrote itself stay as written."""
    if language != "es":
        return what
    verb, sep, rest = what.partition(": ")
    translated = VERBS_ES.get(verb)
    return f"{translated}{sep}{rest}" if translated else what


_REVISION = re.compile(r"^(?:Zero draft|Proyecto cero)$", re.IGNORECASE)
_WORKING = re.compile(r"^(?:Working text after|Texto de trabajo posterior a) (?P<label>.+)$")


def revision_label(label: str, language: str) -> str:
    """A revision's label as the document's language writes it: "Zero draft" is
    "Proyecto cero"; "Rev.1" is the same in both; "Working text after Rev.1"
    is "Texto de trabajo posterior a Rev.1"."""
    label = label.strip()
    working = _WORKING.match(label)
    if working:
        return words(language)["working_text"].format(label=revision_label(working["label"], language))
    if _REVISION.match(label):
        return words(language)["zero_draft"]
    return label


def format_date(day: date, language: str) -> str:
    """ "4 de diciembre de 2026" / "4 December 2026" (the UN's English, day first)."""
    month = _MONTHS.get(language, _MONTHS["en"])[day.month - 1]
    if language == "es":
        return f"{day.day} de {month} de {day.year}"
    return f"{day.day} {month} {day.year}"


def local_time(when: datetime, time_zone: str) -> datetime:
    """``when`` (stored in UTC; naive means UTC) in the meeting's time zone; UTC when the zone is unknown."""
    try:
        zone = ZoneInfo(time_zone) if time_zone else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    if when.tzinfo is None:
        when = when.replace(tzinfo=ZoneInfo("UTC"))
    return when.astimezone(zone)


def format_datetime(when: datetime, language: str, time_zone: str = "") -> str:
    """ "4 de diciembre de 2026, 14:30 CST" in the meeting's time zone (24-hour clock in both languages)."""
    local = local_time(when, time_zone) if time_zone or when.tzinfo is not None else when
    zone = local.tzname() or ""
    return f"{format_date(local.date(), language)}, {local:%H:%M}" + (f" {zone}" if zone else "")


# -- w:lang ---------------------------------------------------------------------

# What may follow w:lang inside w:rPr (schema order).
_AFTER_LANG = ("w:eastAsianLayout", "w:specVanish", "w:oMath")
# What may follow w:rPr inside w:style.
_AFTER_STYLE_RPR = frozenset(qn(name) for name in ("w:tblPr", "w:trPr", "w:tcPr", "w:tblStylePr"))


def _set_lang(r_pr: BaseOxmlElement, tag: str) -> None:
    lang = r_pr.find(qn("w:lang"))
    if lang is None:
        following = [r_pr.find(qn(name)) for name in _AFTER_LANG]
        lang = r_pr.makeelement(qn("w:lang"), {})
        successor = next((f for f in following if f is not None), None)
        if successor is not None:
            successor.addprevious(lang)
        else:
            r_pr.append(lang)
    lang.set(qn("w:val"), tag)


def tag_document(document: DocxDocument, language: str) -> None:
    """Tag the document for ``language``: the default run properties (what
    every style inherits), every style that names a language of its own, and
    the core properties. Word then proofs the text with that dictionary."""
    tag = LANGUAGE_TAGS.get(language, LANGUAGE_TAGS["en"])
    styles = document.styles.element
    doc_defaults = styles.find(qn("w:docDefaults"))
    if doc_defaults is None:
        doc_defaults = styles.makeelement(qn("w:docDefaults"), {})
        styles.insert(0, doc_defaults)
    r_pr_default = doc_defaults.find(qn("w:rPrDefault"))
    if r_pr_default is None:
        r_pr_default = doc_defaults.makeelement(qn("w:rPrDefault"), {})
        doc_defaults.insert(0, r_pr_default)
    r_pr = r_pr_default.find(qn("w:rPr"))
    if r_pr is None:
        r_pr = SubElement(r_pr_default, qn("w:rPr"))
    _set_lang(r_pr, tag)
    for style in styles.iterchildren(qn("w:style")):
        if style.get(qn("w:type")) not in ("paragraph", "character"):
            continue
        style_r_pr = style.find(qn("w:rPr"))
        if style_r_pr is None:
            style_r_pr = style.makeelement(qn("w:rPr"), {})
            successor = next((c for c in style if c.tag in _AFTER_STYLE_RPR), None)
            if successor is not None:
                successor.addprevious(style_r_pr)
            else:
                style.append(style_r_pr)
        _set_lang(style_r_pr, tag)
    document.core_properties.language = tag


def tag_runs(paragraph: DocxParagraph, language: str) -> None:
    """Tag every run of ``paragraph`` (a column of a side-by-side table) that
    is not tagged yet: a run tagged already (``tag_run``: words quoted in the
    other language, such as an alternative written in it) keeps its own."""
    tag = LANGUAGE_TAGS.get(language, LANGUAGE_TAGS["en"])
    for run in paragraph._p.iter(qn("w:r")):
        r_pr = run.find(qn("w:rPr"))
        if r_pr is None:
            r_pr = run.makeelement(qn("w:rPr"), {})
            run.insert(0, r_pr)
        elif r_pr.find(qn("w:lang")) is not None:
            continue
        _set_lang(r_pr, tag)


def tag_run(run: Run, language: str) -> None:
    """Tag one run with ``language``, so that Word checks
    its spelling in that language whatever the paragraph around it is in."""
    _set_lang(run._r.get_or_add_rPr(), LANGUAGE_TAGS.get(language, LANGUAGE_TAGS["en"]))
