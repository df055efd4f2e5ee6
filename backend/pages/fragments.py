"""The HTML of one paragraph of the working text, with its proposals and the
controls the reader's role allows.

Written in Python rather than as a Django template on purpose: the text page
renders every paragraph and every pending proposal (200 and 2,000 at a large
meeting, goal < 100 ms, see bench/RESULTS.md), and the live updates re-render
single paragraphs many times a second. The template engine spent ~0.8 s on
that page; plain string building with ``html.escape`` on every piece of text
takes a tenth of it. Everything a user wrote goes through ``esc``; the only
unescaped inputs are the redlines (escaped by the text engine) and the
bracketed wording (escaped by ``present.bracketed_html``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from html import escape
from typing import Any

from django.utils.translation import gettext as _

from backend.pages import labels
from drafting.services.paragraphs import ALTERNATIVE_KINDS


def esc(value: Any) -> str:
    return escape(str(value), quote=True)


@dataclass(frozen=True)
class Viewer:
    """What the fragment needs to know about the page it goes into."""

    delegation: str | None
    may_negotiate: bool
    console: bool
    drafting: bool
    declaration_id: int
    revision_id: int | None
    discussing_id: int | None
    csrf_token: str
    here: str
    members: tuple[str, ...] = ()
    # a refused proposal's fields, shown again in its paragraph's editor (drafts.py)
    draft: dict[str, Any] | None = None
    # Issue 15: the declaration's original language, the one the reader chose
    # (the page's), and whether the reader may update translations (the TS, or
    # a translator it named), who then sees the stale/missing flags and the form.
    original_language: str = "es"
    reading: str = "es"
    may_translate: bool = False

    @functools.cached_property
    def hidden(self) -> str:
        """Every form's CSRF token and way back, built once per render."""
        return (
            f'<input type="hidden" name="csrfmiddlewaretoken" value="{esc(self.csrf_token)}">'
            f'<input type="hidden" name="next" value="{esc(self.here)}">'
        )


class Words:
    """The page's words, translated once per render (not once per proposal)."""

    def __init__(self) -> None:
        self.now = esc(_("Now discussing"))
        self.confirmation_by = esc(_("confirmation by"))
        self.options = esc(_("Options"))
        self.pending = esc(_("Pending proposals"))
        self.yours = esc(_("Your delegation"))
        self.no = esc(_("no."))
        self.supported_by = esc(_("Supported by"))
        self.no_positions = esc(_("No positions yet."))
        self.accept = esc(_("Accept"))
        self.reject = esc(_("Reject"))
        self.withdraw_proposal = esc(_("Withdraw our proposal"))
        self.support = esc(_("Support"))
        self.withdraw_position = esc(_("Withdraw our position"))
        self.object = esc(_("Object"))
        self.reason = esc(_("Reason for the objection"))
        self.ad_ref_by = esc(_("Ad ref, to be confirmed by"))
        self.agree_ad_ref = esc(_("Agree ad ref"))
        self.confirm = esc(_("Confirm"))
        self.propose = esc(_("Propose a change"))
        self.kind_of_change = esc(_("Kind of change"))
        self.wording = esc(_("Wording (for a deletion, leave empty)"))
        self.rationale = esc(_("Rationale (optional)"))
        self.table = esc(_("Table the proposal"))
        self.withdraw_objection = esc(_("Withdraw our objection to the paragraph"))
        self.object_paragraph = esc(_("Object to the paragraph"))
        self.not_tabled = esc(_("Your wording (not tabled)"))
        self.bracket_words = esc(_("Bracket words"))
        self.words_to_bracket = esc(_("Words to bracket (select them in the paragraph, or type them)"))
        self.bracket_these = esc(_("Bracket these words"))
        self.offer_options = esc(_("Offer proposals as options (Alt 1, Alt 2 …)"))
        self.offer = esc(_("Bracket with these options"))
        self.kinds = [(k, esc(v)) for k, v in labels.KINDS.items()]
        self.other_version = esc(_("Other language version"))
        self.translation = {
            "stale": esc(_("Translation out of date")),
            "missing": esc(_("Translation missing")),
        }
        self.update_translation = esc(_("Update the translation"))
        self.translation_wording = esc(_("Translated wording"))
        self.save_translation = esc(_("Save the translation"))
        self.language = esc(_("Language"))
        self.original_wording = esc(_("Its wording in the original language (needed to accept it)"))
        self.actions = {k: esc(v) for k, v in labels.ACTIONS.items()}

    @functools.lru_cache(maxsize=64)  # noqa: B019 - one Words per render, a handful of delegations
    def objects(self, who: str) -> str:
        return esc(_("%(who)s objects") % {"who": who})

    def objects_paragraph(self, who: str) -> str:
        return esc(_("%(who)s objects to the paragraph") % {"who": who})

    def discuss(self, label: str) -> str:
        return esc(_("Discuss %(label)s now") % {"label": label})


# Each language named in itself, as language pickers do.
LANGUAGE_NAMES = {"es": "Español", "en": "English"}


def _other_language_proposal(item: dict[str, Any], v: Viewer) -> bool:
    return bool(item.get("language")) and item["language"] != v.original_language


def _wording(p: dict[str, Any], v: Viewer, w: Words) -> str:
    """The paragraph in the reader's language, the other version one click
    away (a ``<details>``); the original is shown when no translation exists."""
    tr = p.get("translation")
    original = f'<p class="wording kind-{esc(p["kind"])}" lang="{esc(v.original_language)}">{p["html"]}</p>'
    if not tr:
        return original
    translated = (
        f'<p class="wording kind-{esc(p["kind"])}" lang="{esc(tr["language"])}">{esc(tr["text"])}</p>'
        if tr["status"] != "missing"
        else ""
    )
    flag = ""
    if tr["status"] != "current" and (v.may_translate or (v.reading == tr["language"] and translated)):
        flag = f'<p class="translation-flag flag-{esc(tr["status"])}">{w.translation[tr["status"]]}</p>'
    main, other, other_lang = original, translated, tr["language"]
    if v.reading == tr["language"] and translated:
        main, other, other_lang = translated, original, v.original_language
    out = [main, flag]
    if other:
        out.append(
            f'<details class="other-language"><summary>{w.other_version}: '
            f"{esc(LANGUAGE_NAMES.get(other_lang, other_lang))}</summary>{other}</details>"
        )
    if v.may_translate and v.drafting:
        pid = p["paragraph"]
        out.append(
            f'<details id="translate-{pid}" hx-preserve="true" class="inline-details">'
            f"<summary>{w.update_translation}</summary>"
            + _form(
                v,
                f"/paragraphs/{pid}/translation/",
                f'<input type="hidden" name="text_version" value="{esc(p.get("text_version", ""))}">'
                f'<label for="translate-text-{pid}">{w.translation_wording} '
                f"({esc(LANGUAGE_NAMES.get(tr['language'], tr['language']))})</label>"
                f'<textarea name="text" id="translate-text-{pid}" rows="4" lang="{esc(tr["language"])}" required>'
                f"{esc(tr['text'])}</textarea>"
                f'<button type="submit">{w.save_translation}</button>',
                "translate",
            )
            + "</details>"
        )
    return "".join(out)


def _form(v: Viewer, action: str, inner: str, css: str = "inline") -> str:
    return f'<form method="post" action="{action}" class="{css}">{v.hidden}{inner}</form>'


def _proposal(item: dict[str, Any], p: dict[str, Any], v: Viewer, w: Words) -> str:
    pid = item["id"]
    mine = item["mine"]
    out = [
        f'<li class="prop{" mine" if mine else ""}" id="prop{pid}">',
        f'<div class="prop-head"><strong>{esc(item["delegation"])}</strong>',
        f' <span class="badge">{w.yours}</span>' if mine else "",
        f" · {esc(item['kind_label'])} · {esc(item['status_label'])} · {w.no} {pid}",
        f' · <span class="lang" lang="{esc(item["language"])}">{esc(LANGUAGE_NAMES.get(item["language"], ""))}</span>'
        if _other_language_proposal(item, v)
        else "",
        "</div>",
        f'<p class="redline">{item["redline"]}</p><p class="positions">',
    ]
    if item["support"]:
        out.append(f'<span class="support">{w.supported_by}: {esc(", ".join(item["support"]))}</span>')
    for o in item["objections"]:
        out.append(f'<span class="objection">{w.objects(o["delegation"])}: {esc(o["reason"])}</span>')
    if not item["support"] and not item["objections"]:
        out.append(f'<span class="quiet">{w.no_positions}</span>')
    out.append("</p>")
    if v.console:
        if item["status"] == "submitted":
            out.append(
                _form(
                    v,
                    f"/proposals/{pid}/decide/",
                    f'<input type="hidden" name="version" value="{item["version"]}">'
                    + (
                        f'<label for="original-{pid}">{w.original_wording}</label>'
                        f'<textarea name="original_text" id="original-{pid}" rows="3" '
                        f'lang="{esc(v.original_language)}"></textarea>'
                        if _other_language_proposal(item, v) and item["kind"] != "delete"
                        else ""
                    )
                    + f'<button type="submit" name="decision" value="accept" class="primary">{w.accept}</button>'
                    f'<button type="submit" name="decision" value="reject">{w.reject}</button>',
                    "decide",
                )
            )
    elif v.may_negotiate and (p["proposable"] or item["kind"] == "insert_after"):
        out.append('<div class="controls">')
        if mine:
            out.append(_form(v, f"/proposals/{pid}/withdraw/", f'<button type="submit">{w.withdraw_proposal}</button>'))
        elif item["status"] == "submitted":
            if not item["i_support"]:
                out.append(_form(v, f"/proposals/{pid}/support/", f'<button type="submit">{w.support}</button>'))
            if item["i_support"] or item["my_objection"]:
                out.append(
                    _form(
                        v,
                        f"/proposals/{pid}/position/withdraw/",
                        f'<button type="submit">{w.withdraw_position}</button>',
                    )
                )
            out.append(
                f'<details id="object-{pid}" hx-preserve="true" class="inline-details"><summary>{w.object}</summary>'
                + _form(
                    v,
                    f"/proposals/{pid}/object/",
                    f'<label for="object-reason-{pid}">{w.reason}</label>'
                    f'<input type="text" name="reason" id="object-reason-{pid}" required maxlength="5000">'
                    f'<button type="submit">{w.object}</button>',
                    "",
                )
                + "</details>"
            )
        out.append("</div>")
    out.append("</li>")
    return "".join(out)


def _chair_controls(p: dict[str, Any], v: Viewer, w: Words) -> str:
    pid = p["paragraph"]
    label = p["label"] or "¶"
    disabled = " disabled" if pid == v.discussing_id else ""
    out = [
        '<div class="chair-controls">',
        _form(
            v,
            f"/declarations/{v.declaration_id}/discuss/",
            f'<button type="submit" name="paragraph" value="{pid}"{disabled}>{w.discuss(label)}</button>',
        ),
    ]
    if v.drafting:
        buttons = "".join(
            f'<button type="submit" name="action" value="{a}">{w.actions[a]}</button>'
            for a in p["actions"]
            if a not in ("agree_ad_ref", "confirm")
        )
        if buttons:
            out.append(_form(v, f"/paragraphs/{pid}/act/", buttons, "inline acts"))
        if "bracket" in p["actions"]:
            out.append(_bracket_controls(p, v, w))
        if "agree_ad_ref" in p["actions"]:
            options = "".join(f'<option value="{esc(c)}">{esc(c)}</option>' for c in v.members)
            out.append(
                _form(
                    v,
                    f"/paragraphs/{pid}/act/",
                    f'<input type="hidden" name="action" value="agree_ad_ref">'
                    f'<label for="adref-{pid}">{w.ad_ref_by}</label>'
                    f'<select name="delegation" id="adref-{pid}">{options}</select>'
                    f'<button type="submit">{w.agree_ad_ref}</button>',
                )
            )
        if "confirm" in p["actions"]:
            out.append(
                _form(
                    v,
                    f"/paragraphs/{pid}/act/",
                    f'<button type="submit" name="action" value="confirm">{w.confirm}</button>',
                )
            )
    out.append("</div>")
    return "".join(out)


def _bracket_controls(p: dict[str, Any], v: Viewer, w: Words) -> str:
    """Bracket words (selected in the paragraph: static/pages/chair.js fills
    the fields; or typed) and offer pending rewordings as Alt 1, Alt 2."""
    pid = p["paragraph"]
    inner = [
        _form(
            v,
            f"/paragraphs/{pid}/bracket/",
            f'<label for="bracket-words-{pid}">{w.words_to_bracket}</label>'
            f'<input type="text" name="words" id="bracket-words-{pid}" required maxlength="100000">'
            f'<input type="hidden" name="start" id="bracket-start-{pid}" value="">'
            f'<button type="submit">{w.bracket_these}</button>',
            "bracket-words",
        )
    ]
    offers = [i for i in p["proposals"] if i["status"] == "submitted" and i["kind"] in ALTERNATIVE_KINDS]
    if offers:
        chosen = {a["proposal"] for a in p["alternatives"]}
        boxes = "".join(
            f'<label class="radio"><input type="checkbox" name="alternative" value="{i["id"]}"'
            f"{' checked' * (i['id'] in chosen)}> {esc(i['delegation'])}: "
            f"{esc(i['text'] or i['kind_label'])}</label><br>"
            for i in offers
        )
        inner.append(
            _form(
                v,
                f"/paragraphs/{pid}/bracket/",
                f"<fieldset><legend>{w.offer_options}</legend>{boxes}</fieldset>"
                f'<button type="submit" name="options" value="1">{w.offer}</button>',
                "bracket-options",
            )
        )
    return (
        f'<details id="bracket-{pid}" hx-preserve="true" class="bracketing"><summary>{w.bracket_words}</summary>'
        + "".join(inner)
        + "</details>"
    )


def _member_controls(p: dict[str, Any], v: Viewer, w: Words) -> str:
    pid = p["paragraph"]
    draft = v.draft if v.draft and v.draft["paragraph"] == pid else None
    chosen = draft["kind"] if draft and draft["kind"] in labels.KINDS else w.kinds[0][0]
    kinds = "".join(
        f'<label class="radio"><input type="radio" name="kind" value="{k}"{" checked" * (k == chosen)}> {label}</label>'
        for k, label in w.kinds
    )
    wording, rationale, error, invalid = p["text"], "", "", ""
    if draft:
        wording, rationale = draft["text"], draft["rationale"]
        error = f'<p class="field-error" id="propose-error-{pid}" role="alert">{esc(draft["error"])}</p>'
        invalid = f' aria-invalid="true" aria-describedby="propose-error-{pid}"'
    out = [
        f'<div class="controls"><details id="propose-{pid}" hx-preserve="true"{" open" * bool(draft)}>'
        f"<summary>{w.propose}</summary>",
        _form(
            v,
            f"/declarations/{v.declaration_id}/propose/",
            f'<input type="hidden" name="paragraph" value="{pid}">'
            f'<input type="hidden" name="revision" value="{v.revision_id or ""}">'
            f"<fieldset><legend>{w.kind_of_change}</legend>{kinds}</fieldset>"
            f'<label for="propose-lang-{pid}">{w.language}</label><select name="language" id="propose-lang-{pid}">'
            + "".join(
                f'<option value="{code}"{" selected" * (code == v.original_language)}>{name}</option>'
                for code, name in LANGUAGE_NAMES.items()
            )
            + "</select>"
            f'<label for="propose-text-{pid}">{w.wording}</label>{error}'
            f'<textarea name="text" id="propose-text-{pid}" rows="4"{invalid}>{esc(wording)}</textarea>'
            f'<label for="propose-why-{pid}">{w.rationale}</label>'
            f'<input type="text" name="rationale" id="propose-why-{pid}" maxlength="5000" value="{esc(rationale)}">'
            f'<button type="submit" class="primary">{w.table}</button>',
            "propose",
        ),
        "</details>",
    ]
    if p["my_objection"]:
        out.append(
            _form(v, f"/paragraphs/{pid}/objection/withdraw/", f'<button type="submit">{w.withdraw_objection}</button>')
        )
    else:
        out.append(
            f'<details id="pobject-{pid}" hx-preserve="true" class="inline-details">'
            f"<summary>{w.object_paragraph}</summary>"
            + _form(
                v,
                f"/paragraphs/{pid}/object/",
                f'<label for="pobject-reason-{pid}">{w.reason}</label>'
                f'<input type="text" name="reason" id="pobject-reason-{pid}" required maxlength="5000">'
                f'<button type="submit">{w.object}</button>',
                "",
            )
            + "</details>"
        )
    out.append("</div>")
    return "".join(out)


def _kept_draft(pid: int, draft: dict[str, Any], w: Words) -> str:
    """A refused proposal on a paragraph no longer open to proposals (agreed
    or held meanwhile): its wording kept to copy, with the reason."""
    return (
        f'<div class="controls"><p class="field-error" id="propose-error-{pid}" role="alert">{esc(draft["error"])}</p>'
        f'<label for="propose-text-{pid}">{w.not_tabled}</label>'
        f'<textarea id="propose-text-{pid}" rows="4" readonly aria-invalid="true" '
        f'aria-describedby="propose-error-{pid}">{esc(draft["text"])}</textarea>'
        f'<label for="propose-why-{pid}">{w.rationale}</label>'
        f'<input type="text" id="propose-why-{pid}" readonly value="{esc(draft["rationale"])}"></div>'
    )


def paragraph(p: dict[str, Any], v: Viewer, w: Words, *, oob: bool = False) -> str:
    """One ``<article>`` (preceded by its section's heading when it opens one);
    ``oob``: to replace the one on the page (htmx out-of-band swap), alone."""
    pid = p["paragraph"]
    classes = f"para state-{esc(p['state'])}"
    if pid == v.discussing_id:
        classes += " discussing"
    if p["has_mine"]:
        classes += " has-mine"
    out = []
    if p["section_heading"] and not oob:
        # the heading in the reader's language where it is given (issue 15), else the original's
        heading, lang = p["section_heading"], v.original_language
        if v.reading != v.original_language and p.get("section_heading_translation"):
            heading, lang = p["section_heading_translation"], v.reading
        out.append(f'<h2 class="section" lang="{esc(lang)}">{esc(heading)}</h2>')
    swap = ' hx-swap-oob="outerHTML"' if oob else ""
    out.append(f'<article id="p{pid}"{swap} class="{classes}" aria-labelledby="l{pid}"><div class="para-head">')
    out.append(f'<span class="label" id="l{pid}">{esc(p["label"] or "¶")}</span>')
    ad_ref = f" ({w.confirmation_by} {esc(p['ad_ref'])})" if p["ad_ref"] else ""
    out.append(f'<span class="state">{esc(p["state_label"])}{ad_ref}</span>')
    if pid == v.discussing_id:
        out.append(f'<span class="now">{w.now}</span>')
    out.append("</div>" + _wording(p, v, w))
    if p["alternatives"]:
        out.append(f'<ol class="alts" aria-label="{w.options}">')
        for a in p["alternatives"]:
            out.append(f"<li><strong>{esc(a['option'])}</strong> ({esc(a['delegation'])}): {esc(a['text'])}</li>")
        out.append("</ol>")
    if p["objections"]:
        out.append('<ul class="objections">')
        for o in p["objections"]:
            mine = ' class="mine"' if o["delegation"] == v.delegation else ""
            out.append(f"<li{mine}>{w.objects_paragraph(o['delegation'])}: {esc(o['reason'])}</li>")
        out.append("</ul>")
    if p["proposals"]:
        out.append(f'<ol class="props" aria-label="{w.pending}">')
        out.extend(_proposal(item, p, v, w) for item in p["proposals"])
        out.append("</ol>")
    if v.console:
        out.append(_chair_controls(p, v, w))
    elif v.may_negotiate and p["proposable"]:
        out.append(_member_controls(p, v, w))
    elif v.may_negotiate and v.draft and v.draft["paragraph"] == pid:
        out.append(_kept_draft(pid, v.draft, w))
    out.append("</article>")
    return "".join(out)


def paragraphs(rows: list[dict[str, Any]], v: Viewer, *, oob: bool = False) -> str:
    words = Words()
    return "".join(paragraph(p, v, words, oob=oob) for p in rows)
