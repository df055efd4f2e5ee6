"""A bilingual declaration for the issue 15 tests: a few paragraphs of seed
000 (the RCM's 2022 Extraordinary Declaration, published in English as a
translation "of the original Spanish text") and their Spanish version,
written for this fixture (not the RCM's own Spanish text).

``SECTIONS`` pairs them paragraph by paragraph: (section kind, heading,
paragraph kind, level, Spanish, English). ``write_docx`` builds a Word file of
one language the way a Secretariat's file looks (Title style, numbered
decisions, bullets), independently of our exporter.
"""

from __future__ import annotations

import io

import docx
from docx.enum.text import WD_PARAGRAPH_ALIGNMENT

TITLE_ES = (
    "Declaración Extraordinaria de la Conferencia Regional sobre Migración (CRM) ante el Foro de Examen "
    "de la Migración Internacional"
)
TITLE_EN = (
    "Regional Conference on Migration (RCM) Extraordinary Declaration before the International Migration Review Forum"
)
PLACE_ES = "Ciudad de México, 1 de abril de 2022"
PLACE_EN = "Mexico City, April 1, 2022"

PREAMBLE = (
    (
        "Las y los jefes de delegación y autoridades de gobierno de Belice, Canadá, Costa Rica, El Salvador, "
        "los Estados Unidos, Guatemala, Honduras, México y Panamá, todos Países Miembros de la Conferencia "
        "Regional sobre Migración (CRM), reunidos en la Ciudad de México con el propósito de generar una "
        "posición regional sobre el seguimiento del Pacto Mundial para una Migración Segura, Ordenada y "
        "Regular, han aprobado la siguiente Declaración:",
        "The heads of delegation and government authorities of Belize, Canada, Costa Rica, El Salvador, the "
        "United States, Guatemala, Honduras, Mexico, and Panama, all Member Countries of the Regional "
        "Conference on Migration (RCM), gathered in Mexico City, with the purpose of generating a regional "
        "position on the follow-up to the Global Compact for Safe, Orderly, and Regular Migration, have "
        "approved the following Declaration:",
    ),
)

OPERATIVE = (
    (
        "La CRM reconoce que el Pacto Mundial para la Migración, aprobado en la Conferencia Intergubernamental "
        "celebrada en Marrakech, es el primer instrumento interestatal mundial que presenta un marco para la "
        "cooperación internacional integral sobre las personas migrantes y la movilidad humana.",
        "The RCM recognizes that the Global Compact for Migration, approved at the Intergovernmental "
        "Conference held in Marrakech, is the first global interstate instrument presenting a framework for "
        "comprehensive international cooperation on migrants and human mobility.",
    ),
    (
        "La CRM reconoce que el Pacto Mundial para la Migración representa un paso histórico para atender los "
        "riesgos y desafíos actuales de la migración irregular regional desde una perspectiva de "
        "responsabilidad compartida.",
        "The RCM recognizes that the Global Compact for Migration represents a historic step to address the "
        "current risks and challenges of regional irregular migration from a shared responsibility "
        "perspective.",
    ),
    (
        "Asimismo, la CRM celebra que el Foro sea un examen mundial cuatrienal del Pacto Mundial, que se "
        "celebrará por primera vez del 17 al 20 de mayo de 2022 en la Asamblea General en Nueva York.",
        "Likewise, the RCM celebrates that the IMRF is a global quadrennial review of the Global Compact, and "
        "will first take place from May 17 to 20, 2022 at the UNGA in New York.",
    ),
    (
        "Considerando que la mayor parte de la migración internacional ocurre dentro de las regiones, la CRM "
        "agradece a la Asamblea General por invitar a los procesos consultivos regionales pertinentes a "
        "examinar la aplicación del Pacto Mundial para la Migración en sus respectivas regiones.",
        "Considering that most international migration occurs within regions, the RCM thanks the UNGA for "
        "inviting the relevant regional consultative processes to examine the implementation of the Global "
        "Compact for Migration within their respective regions.",
    ),
    (
        "Las y los jefes de delegación de los Países Miembros agradecen a la Presidencia Pro Tempore de El "
        "Salvador, al Gobierno de México por liderar y acoger ambos talleres preparatorios para el Foro, y a "
        "la OIM en su calidad de coordinadora de la Red Regional de las Naciones Unidas sobre Migración.",
        "The Heads of Delegation of the Member Countries thank the Presidency Pro-Témpore of El Salvador, the "
        "Government of Mexico for leading and hosting both Preparation Workshops for the IMRF, and the IOM in "
        "its capacity as Coordinator of the United Nations Regional Network on Migration.",
    ),
)

ANNEX_INTRO = (
    "Prioridades regionales como elementos principales del Plan de Acción Regional para una Migración "
    "Segura, Ordenada y Regular:",
    "Regional priorities as the main elements of the Regional Action Plan for Safe, Orderly, and Regular Migration:",
)
BULLETS = (
    (
        "#8 Salvar vidas y establecer iniciativas internacionales coordinadas sobre los migrantes desaparecidos",
        "#8 Save lives and establish coordinated international efforts on missing migrants",
    ),
    ("#7 Abordar y reducir las vulnerabilidades en la migración", "#7 Address and reduce vulnerabilities in migration"),
    (
        "#15 Proporcionar a los migrantes acceso a servicios básicos",
        "#15 Provide access to basic services for migrants",
    ),
)

# A paragraph only the English file has: the aligner must leave it unpaired and say so.
UNPAIRED_EN = (
    "The RCM will share this declaration with the co-facilitators nominated by the UNGA President for their "
    "consideration in preparing the final IMRF statement, and with the Organization of American States as an "
    "input for the Summit of the Americas that will take place in June this year."
)

# (section kind, heading es, heading en, paragraph kind, level, es, en)
Row = tuple[str, str, str, str, int, str, str]


def rows() -> list[Row]:
    out: list[Row] = [
        ("title", "", "", "title", 0, TITLE_ES, TITLE_EN),
        ("title", "", "", "place_date", 0, PLACE_ES, PLACE_EN),
    ]
    out += [("preamble", "", "", "preambular", 0, es, en) for es, en in PREAMBLE]
    out += [("operative", "DECISIONES", "DECISIONS", "operative", 0, es, en) for es, en in OPERATIVE]
    out.append(("annex", "ANEXO", "ANNEX", "text", 0, *ANNEX_INTRO))
    out += [("annex", "ANEXO", "ANNEX", "list_item", 0, es, en) for es, en in BULLETS]
    return out


def sections_input(language: str) -> list[dict[str, object]]:
    """The text in ``language`` as ``revision_issue`` takes it."""
    sections: list[dict[str, object]] = []
    for kind, heading_es, heading_en, p_kind, level, es, en in rows():
        heading = heading_es if language == "es" else heading_en
        if not sections or sections[-1]["kind"] != kind:
            sections.append({"kind": kind, "heading": heading, "paragraphs": []})
        paragraphs = sections[-1]["paragraphs"]
        assert isinstance(paragraphs, list)
        paragraphs.append({"kind": p_kind, "level": level, "text": es if language == "es" else en})
    return sections


def write_docx(
    language: str, *, extra_after: int | None = None, extra: str = UNPAIRED_EN, edits: dict[str, str] | None = None
) -> bytes:
    """The declaration in ``language`` as a Secretariat's Word file; with
    ``extra_after`` (an operative paragraph's index) an extra decision after it;
    ``edits`` replaces words (old → new) in every paragraph."""
    document = docx.Document()
    heading_done: set[str] = set()
    decisions = 0
    for kind, heading_es, heading_en, p_kind, _level, es, en in rows():
        text = es if language == "es" else en
        for old, new in (edits or {}).items():
            text = text.replace(old, new)
        heading = heading_es if language == "es" else heading_en
        if heading and heading not in heading_done:
            document.add_paragraph(heading, style="Heading 1")
            heading_done.add(heading)
        if p_kind == "title":
            document.add_paragraph(text, style="Title")
        elif p_kind == "place_date":
            p = document.add_paragraph(text)
            p.alignment = WD_PARAGRAPH_ALIGNMENT.CENTER
        elif p_kind == "operative":
            document.add_paragraph(text, style="List Number")
            if extra_after is not None and decisions == extra_after:
                document.add_paragraph(extra, style="List Number")
            decisions += 1
        elif p_kind == "list_item":
            document.add_paragraph(text, style="List Bullet")
        else:
            document.add_paragraph(text)
        del kind
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
