"""Refusals in the reader's language (issue 14): every DomainError a service,
selector or view raises is translated when it is raised, in the language of
the request (``Accept-Language``, or the language the reader chose on the
pages), and stays byte for byte the English text without one. The Django-free
modules (drafting.textnorm, drafting.importing) raise a msgid with its params,
translated when the message is read (drafting/errors.py).

The catalogue check finds the messages by reading the code, so a refusal
added later without its Spanish fails here rather than reaching a Spanish
reader in English."""

from __future__ import annotations

import ast
import html
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext, pgettext

from backend.pages.common import explain
from drafting import access, services
from drafting.bilingual import LANGUAGE_NAMES
from drafting.errors import Conflict, InvalidInput
from drafting.importing import UnreadableDocument, read_document
from drafting.importing.isolated import ProcessLimits, read_isolated
from drafting.models import ExportJob, ImportJob, Paragraph, Proposal
from drafting.services.export_jobs import KIND_NAMES
from drafting.states import TRANSITIONS, State
from drafting.textnorm import clean_text
from tests.conftest import ROOT, World
from workers import tasks

PO = ROOT / "locale" / "es" / "LC_MESSAGES" / "django.po"
# UnreadableDocument: the import reader's refusals (drafting/importing, Django-free, always with params).
DOMAIN_ERRORS = {
    "Conflict",
    "NotAllowed",
    "NotFound",
    "InvalidInput",
    "Unavailable",
    "DomainError",
    "UnreadableDocument",
}
GETTEXT = {"_", "gettext"}


# -- the catalogue ---------------------------------------------------------------


def _literal(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _named_calls(node: ast.AST) -> list[ast.Call]:
    return [n for n in ast.walk(node) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)]


def _msgids_of_calls(calls: list[ast.Call]) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for call in calls:
        name = call.func.id  # type: ignore[attr-defined]
        if name in GETTEXT and call.args and (msgid := _literal(call.args[0])) is not None:
            found.add(("", msgid))
        elif name == "pgettext" and len(call.args) == 2:
            context, msgid = _literal(call.args[0]), _literal(call.args[1])
            if context is not None and msgid is not None:
                found.add((context, msgid))
    return found


def _target_name(target: ast.expr) -> str | None:
    """``x`` of ``x = …`` and of ``x[key] = …``."""
    if isinstance(target, ast.Subscript):
        target = target.value
    return target.id if isinstance(target, ast.Name) else None


def raised_msgids(path: Path, *, in_drafting: bool) -> set[tuple[str, str]]:
    """(msgctxt, msgid) of the messages a module raises: ``_()``/``pgettext()``
    calls inside ``raise`` statements (the message and the per-field messages
    of ``fields=``), or assigned to a name a ``raise`` in the same function
    passes as its message or its ``fields`` (``fields[name] = [_("…")]``); the
    msgid of a DomainError raised with ``params`` (the Django-free modules),
    and then its field messages' literals, msgids too, and of one built with
    ``params`` to be raised elsewhere (the isolated reader's refusals,
    returned, and raised again in the parent process); and in drafting/,
    every ``gettext_noop`` (access.py's actions and its 404s, the sign-in
    links' refusal, the import corrections' table refusals)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[tuple[str, str]] = set()
    scopes = [tree, *(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef))]
    for scope in scopes:
        raised_names: set[str] = set()
        for node in ast.walk(scope):
            if not (isinstance(node, ast.Raise) and node.exc is not None):
                continue
            calls = _named_calls(node.exc)
            found |= _msgids_of_calls(calls)
            for call in calls:
                if call.func.id not in DOMAIN_ERRORS or not call.args:  # type: ignore[attr-defined]
                    continue
                first = call.args[0]
                keywords = {k.arg: k.value for k in call.keywords}
                deferred = "params" in keywords
                if deferred and (msgid := _literal(first)) is not None:
                    found.add(("", msgid))
                if isinstance(first, ast.Name):
                    raised_names.add(first.id)
                fields = keywords.get("fields")
                if isinstance(fields, ast.Name):
                    raised_names.add(fields.id)
                elif deferred and isinstance(fields, ast.Dict):
                    messages = [e for v in fields.values if isinstance(v, ast.List) for e in v.elts]
                    found |= {("", m) for e in messages if (m := _literal(e)) is not None}
        for node in ast.walk(scope):
            if isinstance(node, ast.Assign) and any(_target_name(t) in raised_names for t in node.targets):
                found |= _msgids_of_calls(_named_calls(node.value))
                if (msgid := _literal(node.value)) is not None:
                    found.add(("", msgid))
    for call in _named_calls(tree):
        name = call.func.id  # type: ignore[attr-defined]
        deferred = any(k.arg == "params" for k in call.keywords)
        if name in DOMAIN_ERRORS and deferred and call.args and (msgid := _literal(call.args[0])) is not None:
            found.add(("", msgid))
    if in_drafting:
        for call in _named_calls(tree):
            if call.func.id == "gettext_noop" and call.args and (msgid := _literal(call.args[0])) is not None:  # type: ignore[attr-defined]
                found.add(("", msgid))
    return found


def _modules() -> list[Path]:
    return sorted(
        p
        for top in ("drafting", "backend")
        for p in (ROOT / top).rglob("*.py")
        if "migrations" not in p.parts and "management" not in p.parts
    )


def _po_string(block: str) -> str:
    return "".join(ast.literal_eval(s) for s in re.findall(r'"(?:[^"\\]|\\.)*"', block))


def spanish_catalogue() -> dict[tuple[str, str], str]:
    """(msgctxt, msgid) → msgstr, read from the committed .po (polib is not a
    dependency; the format is simple enough)."""
    catalogue: dict[tuple[str, str], str] = {}
    for entry in PO.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in entry.splitlines() if not line.startswith("#")]
        fields: dict[str, str] = {}
        key = ""
        for line in lines:
            match = re.match(r"^(msgctxt|msgid|msgstr) (\".*\")$", line)
            if match:
                key = match.group(1)
                fields[key] = match.group(2)
            elif line.startswith('"') and key:
                fields[key] += line
        if "msgid" in fields and "msgstr" in fields:
            context = _po_string(fields["msgctxt"]) if "msgctxt" in fields else ""
            catalogue[(context, _po_string(fields["msgid"]))] = _po_string(fields["msgstr"])
    return catalogue


def test_the_finder_sees_each_way_a_refusal_is_written(tmp_path: Path) -> None:
    """The AST walk above can fail: it finds each form the code uses."""
    probe = tmp_path / "probe.py"
    probe.write_text(
        "def f(x):\n"
        "    if x:\n"
        '        raise Conflict(_("One %(a)s.") % {"a": 1})\n'
        '    message = _("Two.")\n'
        "    if x:\n"
        "        raise NotFound(message)\n"
        '    raise InvalidInput("Three %(b)s.", params={"b": 2})\n'
        'ACTIONS = (gettext_noop("four"),)\n'
        'def g():\n    raise Conflict(pgettext("ctx", "five"))\n'
        'def h():\n    raise Conflict("Six, not translated.")\n'
        "def i(w):\n"
        '    raise InvalidInput(_("Seven."), fields={"x": [_("Eight %(n)s.") % {"n": 1}]})\n'
        "def j(w):\n"
        '    raise InvalidInput("Nine.", params={}, fields={f"{w}.kind": ["Ten %(k)s."], "y": ["Eleven."]})\n'
        "def k(bad):\n"
        "    fields = {}\n"
        "    if bad:\n"
        '        fields["z"] = [_("Twelve.")]\n'
        '    raise InvalidInput(_("Thirteen."), fields=fields)\n'
        "def m(n):\n"
        '    return UnreadableDocument("Fourteen %(n)s.", params={"n": n})\n'
    )
    found = raised_msgids(probe, in_drafting=True)
    assert found == {
        *{("", "One %(a)s."), ("", "Two."), ("", "Three %(b)s."), ("", "four"), ("ctx", "five")},
        *{("", "Seven."), ("", "Eight %(n)s."), ("", "Nine."), ("", "Ten %(k)s."), ("", "Eleven.")},
        *{("", "Twelve."), ("", "Thirteen."), ("", "Fourteen %(n)s.")},
    }
    # A field's key (even a literal one, or part of an f-string) is no msgid.
    assert not {("", "x"), ("", "y"), ("", ".kind"), ("", "z")} & found


def test_every_refusal_raised_under_drafting_and_backend_has_a_spanish_translation() -> None:
    catalogue = spanish_catalogue()
    used = {
        key: path
        for path in _modules()
        for key in raised_msgids(path, in_drafting=path.relative_to(ROOT).parts[0] == "drafting")
    }
    assert len(used) > 200  # the walk found the refusals (about 230 in December 2026)
    missing = sorted(f"{path.relative_to(ROOT)}: {key}" for key, path in used.items() if not catalogue.get(key))
    assert missing == []


def _plain_text(node: ast.expr) -> bool:
    """English as written: a literal, an f-string, or one of them joined
    (``"a" + b``) or formatted (``"a %s" % b``) rather than passed to ``_()``."""
    if isinstance(node, ast.BinOp):
        return _plain_text(node.left)
    return isinstance(node, ast.JoinedStr) or _literal(node) is not None


def plain_text_refusals(path: Path) -> list[str]:
    """The messages, and the per-field messages, a DomainError is given as
    plain text where nothing translates them: in a DomainError raised without
    ``params`` (with ``params``, the literals are msgids translated when
    read)."""
    found: list[ast.expr] = []
    for call in _named_calls(ast.parse(path.read_text(encoding="utf-8"))):
        if call.func.id not in DOMAIN_ERRORS:  # type: ignore[attr-defined]
            continue
        keywords = {k.arg: k.value for k in call.keywords}
        if "params" in keywords:
            continue
        found += [a for a in call.args[:1] if _plain_text(a)]
        fields = keywords.get("fields")
        values = fields.values if isinstance(fields, ast.Dict) else [getattr(fields, "value", None)]
        found += [e for v in values if isinstance(v, ast.List) for e in v.elts if _plain_text(e)]
    where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
    return [f"{where}:{e.lineno}: {ast.unparse(e)}" for e in found]


def test_the_plain_text_check_sees_each_form(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text(
        'raise InvalidInput(_("A."), fields={"a": ["Plain."], "b": [_("Fine.")]})\n'
        'raise Conflict(_("B."), fields={k: [f"F {k}."] for k in ks})\n'
        'raise InvalidInput("C.", params={}, fields={"c": ["Deferred, a msgid."]})\n'
        'raise Conflict(f"D {x}." + "!")\n'
        'raise NotFound(_("E %(x)s.") % {"x": 1} + ".", fields=fields)\n'
        'raise Conflict((_("F.") if x else _("G.")) % {})\n'
        "raise NotAllowed(message)\n"
    )
    assert plain_text_refusals(probe) == [
        "probe.py:1: 'Plain.'",
        "probe.py:2: f'F {k}.'",
        "probe.py:4: f'D {x}.' + '!'",
    ]


def test_no_refusal_is_left_in_english_text() -> None:
    """``Conflict(f"…")`` or ``fields={"text": ["No change."]}`` would reach
    a Spanish reader in English whatever the catalogue holds."""
    assert [m for path in _modules() for m in plain_text_refusals(path)] == []


def test_the_catalogue_compiles_with_its_format_checks(tmp_path: Path) -> None:
    """msgfmt --check: among others, each python-format msgstr has the
    placeholders of its msgid, so no refusal fails to format in Spanish."""
    subprocess.run(["msgfmt", "--check", "-o", str(tmp_path / "django.mo"), str(PO)], check=True)


def test_every_action_a_role_is_refused_is_in_the_catalogue() -> None:
    """The ``action`` strings passed to access.require_* (and accounts'
    require_desk) are listed in access.ACTIONS, so a refusal never puts an
    English phrase inside a Spanish sentence."""
    requirers = {
        "require_secretariat",
        "require_ppt",
        "require_ppt_or_secretariat",
        "require_translator",
        "require_negotiator",
        "require_library_editor",
        "require_desk",
        "_require_desk",
    }
    actions: set[str] = set()
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
                if name in requirers:
                    actions |= {a for arg in node.args if (a := _literal(arg)) is not None}
            if isinstance(node, ast.FunctionDef) and node.name == "require_desk":
                actions |= {a for d in node.args.defaults if (a := _literal(d)) is not None}
    assert len(actions) > 25
    assert actions - set(access.ACTIONS) == set()
    catalogue = spanish_catalogue()
    assert all(catalogue.get(("", a)) for a in access.ACTIONS)


def test_the_words_put_into_refusals_are_translated_too() -> None:
    """States, statuses, document kinds, actions and language names filled
    into a refusal read in Spanish in a Spanish refusal."""
    with translation.override("es"):
        words = [
            *(gettext(s.label) for s in State),
            *(pgettext("proposal status", s) for s in Proposal.Status.values),
            *(pgettext("import status", s.label.lower()) for s in ImportJob.Status),
            *(pgettext("export status", s) for s in ExportJob.Status.values),
            *(pgettext("document kind", k) for k in KIND_NAMES.values()),
            *(pgettext("paragraph action", a.replace("_", " ")) for a in TRANSITIONS),
            *(pgettext("language, in a sentence", n) for n in LANGUAGE_NAMES.values()),
        ]
    english = {
        *(s.label for s in State),
        *Proposal.Status.values,
        *(s.label.lower() for s in ImportJob.Status),
        *ExportJob.Status.values,
        *KIND_NAMES.values(),
        *(a.replace("_", " ") for a in TRANSITIONS),
        *LANGUAGE_NAMES.values(),
    }
    # "agree ad ref" → "acordar ad ref": what must not happen is an English word left as it was.
    assert [w for w in words if w in english] == []


# -- evaluated per request ----------------------------------------------------------


def test_a_django_free_refusal_is_translated_when_read_in_the_language_active_then() -> None:
    with pytest.raises(InvalidInput) as caught:
        clean_text("", field="text", max_chars=10)
    error = caught.value
    assert error.message == "text may not be blank." == str(error)
    with translation.override("es"):
        assert error.message == "text no puede estar vacío."
    with translation.override("en"):
        assert error.message == "text may not be blank."


def test_a_refusal_is_translated_when_raised_not_when_the_module_is_imported(world: World) -> None:
    proposal = services.proposal_submit(
        actor=world.users["mex"],
        declaration=world.declaration,
        revision_id=world.revision.pk,
        paragraph_id=world.paragraph_ids()[-1],
        kind="replace",
        text="A new wording.",
    )
    services.proposal_decide(actor=world.users["ppt"], proposal=proposal, decision="reject", version=proposal.version)
    for language, expected in (
        ("es", f"La propuesta {proposal.pk} está rechazada; ya no puede cambiar."),
        ("en", f"Proposal {proposal.pk} is rejected; it can no longer change."),
        ("es", f"La propuesta {proposal.pk} está rechazada; ya no puede cambiar."),
    ):
        with translation.override(language), pytest.raises(Conflict) as caught:
            services.proposal_withdraw(actor=world.users["mex"], proposal=proposal)
        assert caught.value.message == expected


# -- over HTTP ----------------------------------------------------------------------


def _propose(world: World, role: str, text: str, **headers: Any) -> Any:
    body = {
        "declaration": world.declaration.pk,
        "revision": world.revision.pk,
        "paragraph": world.paragraph_ids()[-1],
        "kind": "replace",
        "text": text,
    }
    return world.client(role).post("/api/proposals/", body, format="json", **headers)


def test_an_api_refusal_answers_in_spanish_to_a_spanish_client_and_in_english_otherwise(world: World) -> None:
    # 403: an observer proposes.
    spanish = _propose(world, "arg", "Otra redacción.", HTTP_ACCEPT_LANGUAGE="es")
    english = _propose(world, "arg", "Another wording.")
    assert spanish.status_code == english.status_code == 403
    assert spanish.json()["detail"] == (
        "Solo las delegaciones de los Estados miembros pueden hacer propuestas; los observadores leen y comentan."
    )
    assert english.json()["detail"] == "Only member state delegations may make proposals; observers read and comment."
    assert spanish.json()["error"] == english.json()["error"] == "forbidden"

    # 409: a decision on a proposal already decided.
    created = _propose(world, "mex", "A new wording.")
    assert created.status_code == 201, created.content
    pid = created.json()["id"]
    ppt = world.client("ppt")
    assert ppt.post(f"/api/proposals/{pid}/accept/", {"version": 1}, format="json").status_code == 200
    url = f"/api/proposals/{pid}/reject/"
    spanish = ppt.post(url, {"version": 2}, format="json", HTTP_ACCEPT_LANGUAGE="es")
    english = ppt.post(url, {"version": 2}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert spanish.status_code == english.status_code == 409
    assert spanish.json()["detail"] == f"La propuesta {pid} está aceptada; ya no puede cambiar."
    assert english.json()["detail"] == f"Proposal {pid} is accepted; it can no longer change."

    # 404, the same answer for every id the reader may not know of.
    missing = world.client("mex").get("/api/proposals/999999/", HTTP_ACCEPT_LANGUAGE="es")
    assert missing.status_code == 404
    assert missing.json()["detail"] == "No hay ninguna propuesta con este identificador."

    # 400 from a Django-free module (drafting/textnorm.py), translated when read.
    bad = _propose(world, "mex", "Bad \x01 character.", HTTP_ACCEPT_LANGUAGE="es")
    assert bad.status_code == 400
    assert bad.json()["detail"] == (
        "El carácter U+0001 en la posición 4 no se puede guardar en un documento Word; elimínelo."
    )
    bad = _propose(world, "mex", "Bad \x01 character.")
    assert bad.json()["detail"] == ("Character U+0001 at position 4 cannot be stored in a Word document; remove it.")


def test_a_page_shows_the_refusal_in_the_language_the_reader_chose(world: World) -> None:
    proposal = services.proposal_submit(
        actor=world.users["mex"],
        declaration=world.declaration,
        revision_id=world.revision.pk,
        paragraph_id=world.paragraph_ids()[-1],
        kind="replace",
        text="A new wording.",
    )
    observer = Client()
    observer.force_login(world.users["arg"])
    text_url = f"/declarations/{world.declaration.pk}/text/"
    observer.post("/i18n/setlang/", {"language": "es", "next": text_url})
    # A permission refusal: the 403 page, with the service's reason in Spanish.
    refused = observer.post(f"/proposals/{proposal.pk}/support/", {"next": text_url})
    assert refused.status_code == 403
    page = refused.content.decode()
    assert "Solo las delegaciones de los Estados miembros pueden apoyar u objetar" in page
    assert "Only member state" not in page

    # A refusal of the moment: a message on the page the form came from.
    services.proposal_decide(actor=world.users["ppt"], proposal=proposal, decision="reject", version=proposal.version)
    delegate = Client()
    delegate.force_login(world.users["mex"])
    delegate.post("/i18n/setlang/", {"language": "es", "next": text_url})
    answer = delegate.post(f"/proposals/{proposal.pk}/withdraw/", {"next": text_url}, follow=True)
    page = answer.content.decode()
    assert f"La propuesta {proposal.pk} está rechazada; ya no puede cambiar." in page
    assert "it can no longer change" not in page

    # The same reader back in English reads the English refusal.
    delegate.post("/i18n/setlang/", {"language": "en", "next": text_url})
    answer = delegate.post(f"/proposals/{proposal.pk}/withdraw/", {"next": text_url}, follow=True)
    assert f"Proposal {proposal.pk} is rejected; it can no longer change." in answer.content.decode()


# -- the fields' own messages -------------------------------------------------------


def _unemphasised_paragraph(world: World) -> Paragraph:
    return Paragraph.objects.filter(pk__in=world.paragraph_ids(), emphasis=[]).order_by("-pk").first()


def test_an_api_refusal_answers_its_field_messages_in_the_readers_language(world: World) -> None:
    same = _unemphasised_paragraph(world)
    body = {"declaration": world.declaration.pk, "revision": world.revision.pk, "paragraph": same.pk}
    client = world.client("mex")
    # Translated when raised (drafting/services/proposals.py).
    unchanged = {**body, "kind": "replace", "text": same.text}
    spanish = client.post("/api/proposals/", unchanged, format="json", HTTP_ACCEPT_LANGUAGE="es")
    english = client.post("/api/proposals/", unchanged, format="json")
    assert spanish.status_code == english.status_code == 400
    assert spanish.json()["detail"] == "La redacción propuesta es idéntica al texto vigente."
    assert spanish.json()["fields"] == {"text": ["Sin cambios."]}
    assert english.json()["fields"] == {"text": ["No change."]}
    # An interpolated one (the serializer refuses an unknown kind before the
    # service does): the choices stay as they were, the sentence is Spanish.
    for language, expected in (
        ("es", f"Elija uno de estos valores: {Proposal.Kind.values}."),
        ("en", f"Choose one of {Proposal.Kind.values}."),
    ):
        with translation.override(language), pytest.raises(InvalidInput) as caught:
            services.proposal_submit(
                actor=world.users["mex"],
                declaration=world.declaration,
                revision_id=world.revision.pk,
                paragraph_id=same.pk,
                kind="rewrite",
                text="Otra.",
            )
        assert caught.value.fields == {"kind": [expected]}
    # Translated when read (drafting/textnorm.py, Django-free), with its own params.
    spans = {**body, "kind": "replace", "text": "Otra.", "emphasis": [{"start": 0, "end": 99, "style": "bold"}]}
    spanish = client.post("/api/proposals/", spans, format="json", HTTP_ACCEPT_LANGUAGE="es")
    english = client.post("/api/proposals/", spans, format="json")
    assert spanish.status_code == english.status_code == 400
    assert spanish.json()["fields"] == {"emphasis": ["Tramo 0: se requiere 0 <= start < end <= 5."]}
    assert english.json()["fields"] == {"emphasis": ["Span 0: need 0 <= start < end <= 5."]}
    assert spanish.json()["detail"] == "Tramo de énfasis no válido."


def test_a_django_free_refusals_field_messages_follow_the_language_active_when_read() -> None:
    with pytest.raises(InvalidInput) as caught:
        clean_text("x" * 11, field="text", max_chars=10)
    error = caught.value
    assert error.fields == {"text": ["At most 10 characters are allowed here; got 11."]}
    with translation.override("es"):
        assert error.fields["text"] == [error.message] != ["At most 10 characters are allowed here; got 11."]
    with translation.override("en"):
        assert error.fields == {"text": ["At most 10 characters are allowed here; got 11."]}


def test_a_page_refusal_with_field_messages_reads_wholly_in_spanish(world: World) -> None:
    same = _unemphasised_paragraph(world)
    delegate = Client()
    delegate.force_login(world.users["mex"])
    text_url = f"/declarations/{world.declaration.pk}/text/"
    form = {"paragraph": same.pk, "revision": world.revision.pk, "kind": "replace", "text": same.text}
    expected = {
        "es": "No se pudo hacer: La redacción propuesta es idéntica al texto vigente. (Sin cambios.)",
        "en": "That could not be done: The proposed wording is identical to the current text. (No change.)",
    }
    for language in ("es", "en"):
        delegate.post("/i18n/setlang/", {"language": language, "next": text_url})
        answer = delegate.post(
            f"/declarations/{world.declaration.pk}/propose/", {**form, "next": text_url}, follow=True
        )
        page = html.unescape(answer.content.decode())
        assert expected[language] in page
        # Neither the API's field key nor an English field message.
        assert "(text: " not in page
        if language == "es":
            assert "No change." not in page


def test_explain_says_each_field_message_once_and_not_the_refusal_twice() -> None:
    error = InvalidInput(
        "The file is empty.", fields={"file": ["The file is empty."], "a": ["Leave empty."], "b": ["Leave empty."]}
    )
    assert explain(error) == "That could not be done: The file is empty. (Leave empty.)"


def test_the_adoption_refusal_names_the_states_in_the_readers_language(world: World) -> None:
    """The paragraphs not yet agreed, listed with their state: the words
    filled into the Spanish sentence are Spanish too."""
    messages = {}
    for language in ("es", "en"):
        with translation.override(language), pytest.raises(Conflict) as caught:
            services.adoption_propose(
                actor=world.users["ppt"], declaration=world.declaration, revision_id=world.revision.pk
            )
        messages[language] = caught.value.message
    first = world.revision.paragraphs.order_by("position").first()
    assert first is not None and first.state == State.OPEN
    assert messages["en"].startswith(f"Every paragraph must be agreed before adoption; not yet: {first.label} (open)")
    assert messages["es"].startswith(
        f"Todos los párrafos deben estar acordados antes de la adopción; aún no lo están: {first.label} (abierto)"
    )


# -- the import reader's refusals (drafting/importing, Django-free) -------------------


def test_an_import_reader_refusal_reads_in_the_language_active_when_read() -> None:
    with pytest.raises(UnreadableDocument) as caught:
        read_document(b"x" * 1001, max_bytes=1000)
    error = caught.value
    english = "The file is 1,001 bytes; at most 1,000 bytes may be imported. Split the document or remove its images."
    assert error.message == str(error) == english
    assert error.fields == {"file": [english]}
    spanish = (
        "El archivo tiene 1,001 bytes; se pueden importar como máximo 1,000 bytes. "
        "Divida el documento o elimine sus imágenes."
    )
    with translation.override("es"):
        assert error.message == spanish
        assert error.fields == {"file": [spanish]}
    with translation.override("en"):
        assert error.message == english


def test_the_isolated_readers_refusal_crosses_the_process_as_msgid_and_params() -> None:
    """The child answers the msgid and its params; the parent raises the
    refusal again, read in the reader's language, not the child's English."""
    with pytest.raises(UnreadableDocument) as caught:
        read_isolated(b"Some text.", filename="draft.pdf", max_bytes=10**6)
    error = caught.value
    assert error.params == {"filename": "draft.pdf"}
    assert error.message.startswith("“draft.pdf” is not a Word document (.docx)")
    with translation.override("es"):
        assert error.message.startswith("«draft.pdf» no es un documento de Word (.docx)")
    # A refusal of the parent's own (the child stopped by the wall clock).
    with pytest.raises(UnreadableDocument) as caught:
        read_isolated(b"Some text.", filename="d.txt", max_bytes=10**6, limits=ProcessLimits(wall_seconds=0.001))
    assert caught.value.message.startswith("Reading this file took longer than 0.001 s and was stopped.")
    with translation.override("es"):
        assert caught.value.message.startswith("La lectura de este archivo tardó más de 0.001 s y se detuvo.")


def test_an_import_upload_refused_at_once_answers_in_the_readers_language(world: World, settings: Any) -> None:
    """What the API refuses while the upload is made (400) reads in Spanish
    to a Spanish client; the reader's own refusals come later, on the job."""
    settings.CONSENSO_MAX_IMPORT_BYTES = 100
    client = world.client("ts")

    def upload(data: bytes, **headers: Any) -> Any:
        body = {"file": SimpleUploadedFile("draft.txt", data), "meeting": world.meeting.pk}
        return client.post("/api/imports/", body, format="multipart", **headers)

    # The serializer's refusal (DRF's own Spanish for the field), then the service's.
    empty = upload(b"", HTTP_ACCEPT_LANGUAGE="es")
    assert empty.status_code == 400
    assert empty.json()["detail"] == "La solicitud no es válida; vea los campos."
    assert empty.json()["fields"] == {"file": ["El archivo enviado está vacío."]}
    assert upload(b"").json()["detail"] == "The request is invalid; see fields."
    big = upload(b"x" * 101, HTTP_ACCEPT_LANGUAGE="es")
    assert big.status_code == 400
    assert big.json()["detail"] == "El archivo tiene 101 bytes; se pueden importar como máximo 100 bytes."
    assert big.json()["fields"] == {"file": [big.json()["detail"]]}
    english = upload(b"x" * 101, HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["detail"] == "The file is 101 bytes; at most 100 bytes may be imported."
    assert ImportJob.objects.count() == 0


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"


@pytest.mark.django_db
def test_why_an_import_or_export_failed_reads_in_the_readers_language(world: World, settings: Any) -> None:
    """The worker stores a job's reason in English and as msgid + params; the
    Secretariat's pages show it in the language the reader chose.

    The upload only queues (embedded mode) and the test runs the worker's task
    itself, so that it reads the same with or without Redis: with Redis a real
    worker would be handed a job it cannot see (this test's transaction never
    commits), and the job would stay queued."""
    settings.CONSENSO_JOBS = "embedded"
    ts = world.client("ts")
    upload = ts.post(
        "/api/imports/",
        {
            "file": SimpleUploadedFile("logo.docx", PNG),
            "meeting": world.meeting.pk,
        },
        format="multipart",
    )
    assert upload.status_code == 201, upload.content
    assert tasks.import_read.apply(args=(upload.json()["id"],)).get() == "failed"
    job = ImportJob.objects.get(pk=upload.json()["id"])
    assert job.status == "failed" and job.error == "This file is not a Word document (.docx) or plain text (.txt)."
    assert job.error_i18n == {"msgid": job.error, "params": {}}
    # A job given up by the lifecycle (attempts) is stored the same way
    export = ExportJob.objects.create(
        declaration=world.declaration, revision=world.revision, kind="clean", requested_by=world.users["ts"]
    )
    interrupted = "The rendering was interrupted %(attempts)s times; ask for the document again."
    services.export_job_fail(job_id=export.pk, message=interrupted, params={"attempts": 3})
    export.refresh_from_db()
    assert export.error == "The rendering was interrupted 3 times; ask for the document again."

    page = Client()
    page.force_login(world.users["ts"])
    desk = f"/meetings/{world.meeting.pk}/desk/"
    preview = f"/imports/{job.pk}/"
    english = page.get(desk).content.decode() + page.get(preview).content.decode()
    assert "is not a Word document" in english and "interrupted 3 times" in english
    page.post("/i18n/setlang/", {"language": "es", "next": desk})
    spanish = html.unescape(page.get(desk).content.decode() + page.get(preview).content.decode())
    assert "is not a Word document" not in spanish and "interrupted 3 times" not in spanish
    assert spanish.count(gettext_in("es", job.error)) == 2 and gettext_in("es", job.error) != job.error
    assert "se interrumpió 3 veces" in spanish
    # and so does the API, in the request's language
    api = world.client("ts")
    assert api.get(f"/api/imports/{job.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()["error"] == job.error
    assert api.get(f"/api/imports/{job.pk}/", HTTP_ACCEPT_LANGUAGE="es").json()["error"] == gettext_in("es", job.error)
    in_spanish = api.get(f"/api/exports/{export.pk}/", HTTP_ACCEPT_LANGUAGE="es").json()["error"]
    assert in_spanish == gettext_in("es", interrupted) % {"attempts": 3} and "se interrumpió 3 veces" in in_spanish


def gettext_in(language: str, msgid: str) -> str:
    with translation.override(language):
        return gettext(msgid)
