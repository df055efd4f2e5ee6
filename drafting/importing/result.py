"""What the readers find and what an import produces, as plain data.

A reader (``docx_reader``, ``text_reader``) turns a file into a flat list of
:class:`Block` (one per paragraph or table, with what the source says about
it: a Word style, a numbering level, or only its shape in plain text);
``structure.build`` turns blocks into :class:`ImportResult`: sections and
paragraphs in the shape ``revision_issue`` takes, plus warnings for
everything the importer was unsure of or dropped. No Django here: the
package runs in a worker, a command or a benchmark alike.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from drafting.textnorm import Span

# How a block presents itself in the source.
ROLES = (
    "title",  # Word "Title"/"Subtitle" style
    "place_date",  # Word "Place Date" style (our own exports)
    "marking",  # "Rev.1 — Draft — not agreed": a marking, not text of the declaration
    "heading1",  # a section heading: DECISIONS, ANNEX …
    "heading2",  # a heading inside a section ("Thematic pillar 1")
    "caption",  # a caption above a table
    "note",  # "[English translation of the original Spanish text]": about the text, not of it
    "paragraph",  # anything else; numbered/bullet say whether it is a list item
    "table",
)


@dataclass
class Block:
    role: str
    text: str = ""
    emphasis: list[Span] = field(default_factory=list)
    level: int = 0
    numbered: bool = False  # carries a number (1., a), i)) in the source
    bullet: bool = False  # carries a bullet in the source
    label: str = ""  # the number or bullet as the source shows it
    table: list[list[str]] | None = None
    page_break_before: bool = False
    # True when the role is only guessed from the text's shape (plain text);
    # a Word style is taken at its word.
    guessed: bool = False
    where: str = ""  # "paragraph 12", "line 40": for warnings


@dataclass
class ImportedParagraph:
    kind: str
    text: str
    emphasis: list[Span] = field(default_factory=list)
    level: int = 0
    table: list[list[str]] | None = None
    source_label: str = ""  # the number or bullet the source showed; Consenso renumbers
    where: str = ""  # where the source has it ("line 12", "paragraph 5"): warnings name it

    def as_input(self) -> dict[str, Any]:
        """The paragraph as ``revision_issue`` takes it."""
        out: dict[str, Any] = {"kind": self.kind, "level": self.level}
        if self.kind == "table":
            out["table"] = [list(row) for row in self.table or []]
        else:
            out["text"] = self.text
            out["emphasis"] = [dict(s) for s in self.emphasis]
        return out


@dataclass
class ImportedSection:
    kind: str
    heading: str = ""
    paragraphs: list[ImportedParagraph] = field(default_factory=list)
    where: str = ""  # where the source has its heading


@dataclass
class ImportWarning:
    code: str  # letterhead_dropped, marking_dropped, footnote_dropped, numbering_restart …
    message: str
    where: str = ""  # the paragraph a guess is about ("line 12", "paragraph 5"); empty for the whole file


@dataclass
class ImportedNote:
    """Text of the file that is not text of the declaration: a translator's
    note, a footnote (a reservation, an explanation of position). Shown in
    the preview, never confirmed into the revision."""

    kind: str  # "note" or "footnote"
    text: str
    where: str = ""


MAX_GUESSES_LISTED = 200


@dataclass
class ImportResult:
    source: str  # "docx" or "txt"
    title: str = ""
    place_date: str = ""
    language: str = ""  # "es" or "en", guessed from the words
    members_present: list[str] = field(default_factory=list)
    sections: list[ImportedSection] = field(default_factory=list)
    warnings: list[ImportWarning] = field(default_factory=list)
    notes: list[ImportedNote] = field(default_factory=list)
    guesses: dict[str, int] = field(default_factory=dict)  # how many guesses of each kind were made

    def warn(self, code: str, message: str, where: str = "") -> None:
        self.warnings.append(ImportWarning(code, message, where))

    def guess(self, code: str, where: str, message: str) -> None:
        """Record a guess the reader made about one paragraph: every guess is
        a warning naming the paragraph, so the Secretariat can check it (and
        correct it) in the preview. Past ``MAX_GUESSES_LISTED`` of one kind
        (a long text split at every line break) one warning says how many
        more there are, so a file cannot grow the preview without bound."""
        seen = self.guesses.get(code, 0) + 1
        self.guesses[code] = seen
        if seen <= MAX_GUESSES_LISTED:
            self.warnings.append(ImportWarning(code, f"{where[:1].upper()}{where[1:]}: {message}", where))
            return
        if seen == MAX_GUESSES_LISTED + 1:
            self.warnings.append(ImportWarning(f"{code}_more", f"More guesses like the {code} above follow."))
        more = next(w for w in reversed(self.warnings) if w.code == f"{code}_more")
        more.message = f"{seen - MAX_GUESSES_LISTED:,} more guesses like the {code} above (the last at {where})."

    def paragraphs(self) -> list[ImportedParagraph]:
        return [p for s in self.sections for p in s.paragraphs]

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {"sections": len(self.sections), "paragraphs": 0, "warnings": len(self.warnings)}
        for p in self.paragraphs():
            counts["paragraphs"] += 1
            counts[p.kind] = counts.get(p.kind, 0) + 1
        return counts

    def sections_input(self) -> list[dict[str, Any]]:
        """The sections as ``drafting.services.revision_issue`` takes them."""
        return [
            {"kind": s.kind, "heading": s.heading, "paragraphs": [p.as_input() for p in s.paragraphs]}
            for s in self.sections
            if s.paragraphs
        ]

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["counts"] = self.counts()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ImportResult:
        return cls(
            source=data["source"],
            title=data.get("title", ""),
            place_date=data.get("place_date", ""),
            language=data.get("language", ""),
            members_present=list(data.get("members_present", [])),
            sections=[
                ImportedSection(
                    kind=s["kind"],
                    heading=s.get("heading", ""),
                    paragraphs=[
                        ImportedParagraph(
                            kind=p["kind"],
                            text=p.get("text", ""),
                            emphasis=[
                                {"start": e["start"], "end": e["end"], "style": e["style"]}
                                for e in p.get("emphasis", [])
                            ],
                            level=p.get("level", 0),
                            table=p.get("table"),
                            source_label=p.get("source_label", ""),
                            where=p.get("where", ""),
                        )
                        for p in s.get("paragraphs", [])
                    ],
                    where=s.get("where", ""),
                )
                for s in data.get("sections", [])
            ],
            warnings=[ImportWarning(w["code"], w["message"], w.get("where", "")) for w in data.get("warnings", [])],
            notes=[ImportedNote(n["kind"], n["text"], n.get("where", "")) for n in data.get("notes", [])],
            guesses=dict(data.get("guesses", {})),
        )
