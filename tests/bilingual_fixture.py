"""A bilingual declaration built from seed 000 (issue 15).

The seed is the English version "of the original Spanish text"; the Spanish
below was written for these tests, paragraph by paragraph, in the RCM's
usual wording (the Global Compact objectives as the Compact words them in
Spanish). The declaration's original language is Spanish, as at the RCM; the
English of each paragraph is the seed's own, read with ``seedtext``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from drafting import seedtext, services
from drafting.demo import SEED
from drafting.models import Declaration, Paragraph, Revision
from tests.conftest import World, build_world

# (kind, Spanish original, index of the seed block that is its English version)
SPANISH: list[tuple[str, str, str, int]] = [
    (
        "title",
        "title",
        "Declaración Extraordinaria de la Conferencia Regional sobre Migración (CRM) ante el FORO DE EXAMEN DE "
        "LA MIGRACIÓN INTERNACIONAL",
        0,
    ),
    ("title", "place_date", "Ciudad de México, 1 de abril de 2022", 1),
    (
        "preamble",
        "preambular",
        "La CRM reconoce que el Pacto Mundial sobre Migración, aprobado en la Conferencia Intergubernamental "
        "celebrada en Marrakech bajo los auspicios de la Asamblea General de las Naciones Unidas (AGNU) y "
        "refrendado por esta, es el primer instrumento interestatal de alcance mundial que presenta un marco de "
        "cooperación internacional integral sobre las personas migrantes y la movilidad humana, que aborda todos "
        "los aspectos de la migración internacional en todas sus dimensiones y que se basa en diez principios "
        "rectores transversales y 23 objetivos.",
        3,
    ),
    (
        "preamble",
        "preambular",
        "Asimismo, la CRM celebra que el FEMI sea un examen mundial cuatrienal del Pacto Mundial, que se "
        "realizará por primera vez del 17 al 20 de mayo de 2022 en la AGNU, en Nueva York, y que busca adoptar "
        "por primera vez la Declaración sobre los Progresos, que será negociada intergubernamentalmente.",
        5,
    ),
    (
        "operative",
        "operative",
        "La CRM ha identificado prioridades regionales como elementos principales del Plan de Acción Regional "
        "para una Migración Segura, Ordenada y Regular, agrupadas en torno a ejes temáticos y dos áreas "
        "transversales (véase el Anexo).",
        7,
    ),
    (
        "operative",
        "operative",
        "Como resultado de todos estos esfuerzos, la CRM reafirma la importancia de continuar la evaluación de "
        "las acciones orientadas a implementar y promover la visión del Pacto Mundial para una Migración Segura, "
        "Ordenada y Regular entre todos los Países Miembros.",
        10,
    ),
    (
        "annex",
        "list_item",
        "#8 Salvar vidas y emprender iniciativas internacionales coordinadas sobre los migrantes desaparecidos",
        15,
    ),
]
# Bold in the Spanish list item, as the seed bolds "Save lives".
SPANISH_BOLD = {6: "Salvar vidas"}


def sections() -> list[dict[str, Any]]:
    """The zero draft: Spanish originals, each with the seed's English."""
    english = seedtext.blocks(SEED.read_text(encoding="utf-8"))
    out: list[dict[str, Any]] = []
    for index, (section, kind, text, block) in enumerate(SPANISH):
        if not out or out[-1]["kind"] != section:
            heading = {"heading": "ANEXO", "heading_translation": "ANNEX"} if section == "annex" else {"heading": ""}
            out.append({"kind": section, **heading, "paragraphs": []})
        emphasis = []
        if index in SPANISH_BOLD:
            start = text.index(SPANISH_BOLD[index])
            emphasis = [{"start": start, "end": start + len(SPANISH_BOLD[index]), "style": "bold"}]
        out[-1]["paragraphs"].append(
            {
                "kind": kind,
                "text": text,
                "emphasis": emphasis,
                "translation_text": english[block].text,
                "translation_emphasis": [dict(s) for s in english[block].emphasis],
            }
        )
    return out


@dataclass
class Bilingual:
    world: World
    declaration: Declaration
    revision: Revision
    translator: Any = None
    paragraphs: list[Paragraph] = field(default_factory=list)

    @property
    def users(self) -> dict[str, Any]:
        return self.world.users


def build_bilingual() -> Bilingual:
    world = build_world(title="CRM — Taller preparatorio FEMI")
    ts = world.users["ts"]
    declaration = services.declaration_create(
        actor=ts, meeting=world.meeting, title=SPANISH[0][2], kind="extraordinary_declaration", original_language="es"
    )
    revision = services.revision_issue(actor=ts, declaration=declaration, sections=sections())
    paragraphs = list(Paragraph.objects.filter(declaration=declaration).order_by("position"))
    return Bilingual(world=world, declaration=declaration, revision=revision, paragraphs=paragraphs)


def accept_spanish_change(bi: Bilingual, target: Paragraph, addition: str = " Con urgencia.") -> None:
    """MEX proposes ``addition`` at the end of ``target``'s Spanish original and the PPT accepts it: the
    paragraph's English version is then stale (issue 15)."""
    proposal = services.proposal_submit(
        actor=bi.users["mex"],
        declaration=bi.declaration,
        revision_id=bi.revision.pk,
        paragraph_id=target.pk,
        kind="replace",
        text=target.text + addition,
    )
    services.proposal_decide(actor=bi.users["ppt"], proposal=proposal, decision="accept", version=1)
