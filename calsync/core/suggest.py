"""Events that read like interviews but carry no tag: a score between 0 and 1 and its reasons.

Pure and bounded: the text is cut into words once (the first READ_CHARS characters of the
description), words are looked up in sets, addresses are split with string operations. An event
with none of the cue words or addresses leaves after one set intersection (the prefiltered path).
Look-alikes — prep, mock and practice interviews, podcasts and press, informational chats, the
user as the interviewer (scorecards, interview kits, debriefs), research and staff interviews,
events the user organized alone — are vetoed outright.
"""
from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from calsync.core.model import SourceEvent

READ_CHARS = 4000
SUGGEST_AT = 0.6  # below this score an event is not suggested
_WORD = re.compile(r"\w+")


def _phrases(text: str) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(_WORD.findall(p.casefold())) for p in text.split("|"))


# Hiring-stage words. Specific ones count fully; generic ones ("interview", "entretien") less.
STAGES = _phrases(
    "phone screen|phone screening|phone interview|recruiter screen|recruiter call|recruiter chat|screening call|"
    "screening interview|technical interview|technical screen|tech screen|coding interview|pair programming interview|"
    "system design interview|behavioral interview|behavioural interview|onsite interview|on site interview|"
    "virtual onsite|final interview|panel interview|job interview|take home review|hiring manager interview|"
    "hiring manager call|hiring manager screen|hiring manager chat|culture fit interview|case interview|"
    "first round interview|second round interview|final round interview|"
    "vorstellungsgespräch|bewerbungsgespräch|telefoninterview|videointerview|fachgespräch|zweitgespräch|"
    "kennenlerngespräch|auswahlgespräch|assessment center|"
    "entretien d embauche|entretien téléphonique|entretien technique|entretien de recrutement|entretien final|"
    "entretien rh|entretien avec le manager|entretien en visio|"
    "entrevista de trabajo|entrevista técnica|entrevista telefónica|entrevista final|entrevista con rrhh|"
    "entrevista personal|entrevista por video|entrevista de selección"
)
GENERIC_STAGES = _phrases("interview|interviews|interviewing|entretien|entrevista|gespräch mit")
# Scheduling tools: applicant-tracking systems say "hiring"; generic schedulers only help.
ATS = _phrases(
    "greenhouse|goodtime|ashby|ashbyhq|lever co|hire lever|myworkday|workday|smartrecruiters|personio|"
    "recruitee|teamtailor|workable|jobvite|icims|candidate calendar|interview schedule|interview confirmation|"
    "your interviewers|your interviewer|interviewers|interviewer"
)
SCHEDULERS = _phrases("calendly|microsoft bookings|bookings|invitee|zoom us|teams microsoft com|meet google com")
HIRING_WORDS = _phrases(
    "recruiter|recruiting|recruitment|talent acquisition|talent partner|hiring team|hiring manager|your application|"
    "the position|the role|candidate|bewerbung|ihre bewerbung|stelle|personalabteilung|recruiterin|candidature|poste|"
    "recrutement|chargée de recrutement|chargé de recrutement|candidatura|puesto|vacante|reclutamiento|reclutador|"
    "reclutadora|proceso de selección"
)
WEAK = _phrases(
    "onsite|on site|final round|intro call|introductory call|introduction call|first call|quick chat|"
    "engineer|developer|designer|analyst|scientist|architect|product manager|devops|sre|"
    "ingenieur|entwickler|entwicklerin|ingénieur|développeur|développeuse|ingeniero|ingeniera|desarrollador|desarrolladora"
)
# Look-alikes: (reason, words that veto anywhere, words that veto only in the title).
VETOES = (
    ("preparation, not the interview", _phrases("mock|mock interview|probeinterview|übungsinterview|simulacro"), _phrases(
        "prep|preparation|prepare|preparing|practice|practise|rehearsal|rehearse|dry run|vorbereitung|vorbereiten|"
        "übung|préparation|préparer|simulation|entraînement|preparación|preparar|práctica|ensayo")),
    ("press or media", _phrases(
        "podcast|journalist|journalistin|media interview|tv interview|journaliste|periodista|livestream|webinar|"
        "webinaire|seminario web|lokalzeitung|tageszeitung"),
     _phrases("press|radio|newspaper|magazine|presse|zeitung|prensa|panel discussion")),
    ("a fair or an event for many", _phrases("career fair|job fair|jobmesse|salon de l emploi|feria de empleo"),
     _phrases("newsletter|meetup|conference|konferenz")),
    ("an informational chat", _phrases(
        "informational|info interview|coffee chat|informationsgespräch|entretien informatif|entrevista informativa"),
     _phrases("networking")),
    ("you are the interviewer", _phrases(
        "debrief|scorecard|scorecards|interview kit|feedback form|interviewer training|hiring committee|"
        "bewertungsbogen|grille d évaluation|evaluación del candidato"), _phrases("calibration")),
    ("research or staff talk", _phrases(
        "user interview|user interviews|customer interview|customer interviews|user research|usability|exit interview|"
        "stay interview|research session|entretien annuel|entretien individuel|entretien professionnel|"
        "mitarbeitergespräch|jahresgespräch|chaudière|revisión anual|evaluación anual"), ()),
)
_RECRUITING_LOCAL = ("recruit", "talent", "career", "karriere", "jobs", "hiring", "candidate", "staffing", "recrut",
                     "reclut", "seleccion", "rrhh", "bewerbung")
_ATS_DOMAINS = ("greenhouse.io", "lever.co", "ashbyhq.com", "goodtime.io", "myworkday.com", "workday.com",
                "smartrecruiters.com", "personio.de", "recruitee.com", "teamtailor.com", "workable.com")


_ATS_DOMAIN_SET = frozenset(_ATS_DOMAINS)


def _index(groups: Iterable[tuple[tuple[str, ...], ...]]) -> dict[str, list[tuple[str, ...]]]:
    by_first: dict[str, list[tuple[str, ...]]] = {}
    for group in groups:
        for phrase in group:
            by_first.setdefault(phrase[0], []).append(phrase)
    return by_first


_ALL = _index([STAGES, GENERIC_STAGES, ATS, SCHEDULERS, HIRING_WORDS, WEAK, *(v for _, v, _ in VETOES),
               *(t for _, _, t in VETOES)])
CUE_WORDS = frozenset(_ALL)  # the first words of every cue
# The longest word of every cue that can carry a suggestion alone: an event with none leaves at once.
KEY_WORDS = frozenset(max(p, key=len) for group in (STAGES, GENERIC_STAGES, ATS, HIRING_WORDS) for p in group)
_RECRUITING_WORD = re.compile("|".join(_RECRUITING_LOCAL))
_VETO_ANYWHERE = frozenset(p for _, anywhere, _ in VETOES for p in anywhere)
_VETO_TITLE = frozenset(p for _, _, title_only in VETOES for p in title_only)
_KIND = {}
for _name, _group in [("stage", STAGES), ("generic", GENERIC_STAGES), ("ats", ATS), ("scheduler", SCHEDULERS),
                      ("hiring", HIRING_WORDS), ("weak", WEAK), *((r, v + t) for r, v, t in VETOES)]:
    for _phrase in _group:
        _KIND.setdefault(_phrase, _name)


@dataclass(frozen=True)
class Assessment:
    score: float
    reasons: tuple[str, ...]


def _found(words: list[str]) -> dict[tuple[str, ...], int]:
    """Every cue phrase in ``words``, with the index of its first occurrence (longest phrase first)."""
    found: dict[tuple[str, ...], int] = {}
    for i, word in enumerate(words):
        candidates = _ALL.get(word)
        if candidates is None:
            if len(word) > 9 and word.endswith("interview"):
                found.setdefault(("interview",), i)
            continue
        for phrase in candidates:
            if tuple(words[i:i + len(phrase)]) == phrase:
                found.setdefault(phrase, i)
    return found


def _by_kind(found: dict[tuple[str, ...], int]) -> dict[str, list[tuple[str, ...]]]:
    """The phrases found, by kind, in the order found."""
    kinds: dict[str, list[tuple[str, ...]]] = {}
    for phrase in found:
        kinds.setdefault(_KIND[phrase], []).append(phrase)
    return kinds


@functools.lru_cache(maxsize=4096)  # the same colleagues are in event after event
def _recruiting_address(email: str, name: str) -> str | None:
    local, _, domain = email.casefold().rpartition("@")
    if ".".join(domain.rsplit(".", 2)[-2:]) in _ATS_DOMAIN_SET:
        return f"a recruiting tool ({domain})"
    label = f"{local} {domain.rpartition('.')[0]} {name.casefold()}"
    hit = "coach" not in label and _RECRUITING_WORD.search(label) is not None
    if hit or local in ("hr", "people", "peopleops"):
        return "a recruiting calendar" if "calendar" in label else "a recruiting address"
    return None


_SHOWN = {"zoom us": "a Zoom link", "teams microsoft com": "a Teams link", "meet google com": "a Google Meet link",
          "invitee": "a Calendly invitee block", "lever co": "Lever", "hire lever": "Lever", "ashbyhq": "Ashby"}


def _quoted(phrase: tuple[str, ...]) -> str:
    text = " ".join(phrase)
    return _SHOWN.get(text, f'"{text}"')


def assess(event: SourceEvent, description: str, me: tuple[str, ...] = ()) -> Assessment | None:
    """How much ``event`` reads like an interview; None when it does not (or is a look-alike)."""
    mine = {address.casefold() for address in me}
    organizer = event.organizer
    by_me = organizer is not None and (organizer.is_me or organizer.email.casefold() in mine)
    others = [a for a in event.attendees if not (a.is_me or a.email.casefold() in mine)]
    if by_me and not others:
        return None  # you organized it alone
    title, body = event.summary.casefold(), description[:READ_CHARS].casefold()
    title_words, body_words = _WORD.findall(title), _WORD.findall(body)
    by_them = _recruiting_address(organizer.email, organizer.name) if organizer is not None and not by_me else None
    addresses = [f"organizer is {by_them}"] if by_them else []
    addresses += [f"{r} is invited" for r in (_recruiting_address(p.email, p.name) for p in others[:20]) if r]
    if (KEY_WORDS.isdisjoint(title_words) and KEY_WORDS.isdisjoint(body_words) and not addresses
            and "interview" not in title and "interview" not in body):
        return None
    in_title, in_body = _found(title_words), _found(body_words)
    if not _VETO_ANYWHERE.isdisjoint(in_title) or not _VETO_ANYWHERE.isdisjoint(in_body) or not _VETO_TITLE.isdisjoint(in_title):
        return None
    kinds = {"title": _by_kind(in_title), "description": _by_kind(in_body)}
    points, reasons = 0.0, []

    def take(kind: str, weight: float, where: str) -> None:
        nonlocal points
        hits = kinds[where].get(kind)
        if hits:
            points += weight
            shown = _quoted(max(hits, key=len))
            reasons.append(f"{where} says {shown}" if kind in ("stage", "generic") else f"{where} mentions {shown}")

    take("stage", 2.5, "title")
    if "stage" not in kinds["title"]:
        take("generic", 1.6, "title")
    take("stage", 1.5, "description")
    if "stage" not in kinds["description"]:
        take("generic", 0.9, "description")
    take("ats", 1.5, "description")
    take("ats", 1.0, "title")
    take("hiring", 0.9, "description")
    take("hiring", 0.9, "title")
    if addresses:
        points += 1.3
        reasons.append(addresses[0])
    if not points:
        return None  # no stage, tool, hiring word or recruiting address: a video link or a job title is no cue alone
    take("scheduler", 0.4, "description")
    weak_hits = kinds["title"].get("weak", []) + [p for p in kinds["description"].get("weak", ()) if p not in in_title]
    if points >= 0.9 and weak_hits:  # weak cues count only beside another cue
        points += 0.6
        reasons.append(f"mentions {_quoted(max(weak_hits, key=len))}")
    if by_me:
        points -= 1.5
    if event.all_day:
        points -= 1.0
    if points <= 0:
        return None
    return Assessment(round(1 - 0.5 ** points, 2), tuple(reasons))


def prefilter_cues() -> frozenset[str]:
    """What the raw text of every event ``assess`` does not drop has: all words of one cue (see ``EventFilter``).

    ``assess`` needs a stage, tool or hiring phrase (each of its words is then in the text) or a recruiting
    address (a recruiting word, a tool's domain or an ``hr@``-like mailbox in an ORGANIZER or ATTENDEE line).
    """
    cues = {" ".join(p) for group in (STAGES, GENERIC_STAGES, ATS, HIRING_WORDS) for p in group}
    cues.update(_RECRUITING_LOCAL)
    cues.update(_ATS_DOMAINS)
    cues.update({"hr@", "people@", "peopleops@"})
    return frozenset(cues)


@dataclass(frozen=True)
class Suggestion:
    """An untagged event that reads like an interview (see `match.auto`)."""

    event: str
    summary: str
    start: dt.datetime
    score: float
    reasons: tuple[str, ...]
    planned: bool = False  # planned like a tagged interview (confirmed, or `match.auto = "plan"`)
