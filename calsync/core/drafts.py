"""Ready-to-send drafts for each follow-up, and the tone check they all pass (rules 2 and 7)."""
from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from urllib.parse import quote

from calsync.core.model import Channel, EventKind, Interview, Kind
from calsync.core.settings import DraftSettings

DEMANDING = (
    "asap", "as soon as possible", "at your earliest convenience", "i expect", "you must", "why haven't you",
    "why have you not", "i demand", "immediately", "urgent", "i need an answer", "you need to", "you should have",
)
NEGATIVE = (
    "disappointed", "disappointing", "unfair", "unprofessional", "mistake", "reconsider", "waste of",
    "frustrat", "upset", "rude", "ignored", "shame",
)
# The second check-in never mentions the first going unanswered.
UNANSWERED = (
    "haven't heard", "have not heard", "didn't hear", "did not hear", "no response", "no reply", "again",
    "still waiting", "unanswered", "my last", "my previous", "my earlier", "didn't return", "second attempt",
)


def tone_problems(text: str, kind: str | None = None) -> list[str]:
    """The demanding or negative phrases found in ``text`` (empty when the tone is fine)."""
    lowered = re.sub(r"[’‘]", "'", text.lower())
    phrases = DEMANDING + NEGATIVE + (UNANSWERED if kind == Kind.SECOND_CHECK_IN.value else ())
    return [p for p in phrases if re.search(r"\b" + re.escape(p), lowered)]


TEMPLATES: dict[tuple[Kind, Channel], tuple[str, str]] = {
    (Kind.THANK_YOU, Channel.EMAIL): (
        "Thank you for {the_conversation}",
        "{greeting}\n\nThank you for taking the time to speak with me on {date} about {the_role}{at_company}. "
        "I enjoyed the conversation and learning more about the team, and I'm even more enthusiastic about "
        "the opportunity.\n\nIf anything else from me would be helpful, I'd be glad to share it.\n\n"
        "Best regards,\n{signature}",
    ),
    (Kind.CHECK_IN, Channel.EMAIL): (
        "Checking in on {the_role}",
        "{greeting}\n\nI hope your week is going well. I wanted to check in on {the_role}{at_company} that we "
        "discussed on {date}. I'm still very interested, and I'd be grateful for any update on the timeline "
        "whenever you're able to share one.\n\nThank you,\n{signature}",
    ),
    (Kind.CHECK_IN, Channel.CALL): (
        "Checking in on {the_role}",
        "Call {who}{phone_part}.\n\nScript: \"Hi {first_name}, this is {signature_name}. We spoke on {date} about "
        "{the_role}{at_company}. I'm still very interested and wanted to ask whether there's any update on the "
        "timeline. Is there anything else I could provide?\"\n\nIf nobody answers, leave a short, friendly "
        "voicemail with your number.",
    ),
    (Kind.SECOND_CHECK_IN, Channel.EMAIL): (
        "Following up on {the_role}",
        "{greeting}\n\nI hope all is well. I remain very interested in {the_role}{at_company} and would "
        "welcome any news on next steps when the time is right.\n\nThank you for your time,\n{signature}",
    ),
    (Kind.SECOND_CHECK_IN, Channel.CALL): (
        "Following up on {the_role}",
        "Call {who}{phone_part}.\n\nScript: \"Hi {first_name}, this is {signature_name}. I'm calling about "
        "{the_role}{at_company}. I remain very interested and would love to hear about next steps whenever "
        "you have a moment.\"\n\nIf nobody answers, a short, friendly voicemail is enough.",
    ),
    (Kind.FEEDBACK_REQUEST, Channel.EMAIL): (
        "Thank you, and a small request",
        "{greeting}\n\nThank you for letting me know, and for the time you and the team spent with me. "
        "I enjoyed meeting everyone. If you're open to it, I'd appreciate any feedback on my interview that "
        "could help me grow. I'd also be glad to be considered for future openings{at_company}.\n\n"
        "All the best,\n{signature}",
    ),
    (Kind.APPLICATION_FOLLOW_UP, Channel.EMAIL): (
        "My application for {the_role}",
        "{greeting}\n\nI applied for {the_role}{at_company} on {date} and wanted to ask whether there's any "
        "update on the process. I'm very interested in the position and would be happy to share anything "
        "else that would help.\n\nThank you for your time,\n{signature}",
    ),
}

# A rejected application had no interview: its feedback request is about the application.
APPLICATION_FEEDBACK = (
    "Thank you, and a small request",
    "{greeting}\n\nThank you for letting me know, and for considering my application for {the_role}{at_company}. "
    "If you're open to it, I'd appreciate any feedback on my application that could help me grow. I'd also "
    "be glad to be considered for future openings.\n\nAll the best,\n{signature}",
)

SUMMARIES = {
    (Kind.THANK_YOU, Channel.EMAIL): "Send thank-you note",
    (Kind.CHECK_IN, Channel.EMAIL): "Email to check in",
    (Kind.CHECK_IN, Channel.CALL): "Call to check in",
    (Kind.SECOND_CHECK_IN, Channel.EMAIL): "Second check-in email",
    (Kind.SECOND_CHECK_IN, Channel.CALL): "Second check-in call",
    (Kind.FEEDBACK_REQUEST, Channel.EMAIL): "Ask for feedback",
    (Kind.APPLICATION_FOLLOW_UP, Channel.EMAIL): "Follow up on application",
}

_TAG = re.compile(r"(^|\s)#[\w-]+")


def label(interview: Interview) -> str:
    """A short name for the interview: company and role when known, else its title without tags."""
    known = " — ".join(part for part in (interview.company, interview.role) if part)
    return known or _TAG.sub(" ", interview.summary).strip() or "interview"


def draft_fields(interview: Interview, drafts: DraftSettings) -> dict[str, str]:
    """The values templates may use; computed once per interview."""
    contact = interview.contact
    first = contact.name.split()[0] if contact.name.strip() else ""
    day: dt.date = interview.start.date()
    return {
        "name": contact.name,
        "first_name": first or "there",
        "greeting": f"Hi {first}," if first else "Hello,",
        "who": contact.name or (f"the {interview.company} recruiter" if interview.company else "the recruiter"),
        "phone_part": f" at {contact.phone}" if contact.phone else "",
        "company": interview.company,
        "at_company": f" at {interview.company}" if interview.company else "",
        "role": interview.role,
        "the_role": f"the {interview.role} role" if interview.role else "the role",
        "the_conversation": f"the {interview.role} interview" if interview.role else "our conversation",
        "date": f"{day:%A, %B} {day.day}",
        "interview": label(interview),
        "signature": drafts.signature or "[your name]",
        "signature_name": drafts.signature.splitlines()[0] if drafts.signature else "[your name]",
    }


def _one_period(text: str, values: dict[str, str]) -> str:
    """"Acme, Inc." at the end of a sentence reads "Acme, Inc.", not "Acme, Inc.."."""
    for value in set(values.values()):
        if len(value) > 1 and value.endswith(".") and not value.endswith(".."):
            text = text.replace(value + ".", value)
    return text


def mailto_link(address: str, subject: str, body: str) -> str:
    """An RFC 6068 ``mailto:`` URI: UTF-8, percent-encoded, line breaks in the body as ``%0D%0A``."""
    crlf = body.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")
    return f"mailto:{quote(address, safe='@')}?subject={quote(subject, safe='')}&body={quote(crlf, safe='')}"


def render_draft(
    kind: Kind, channel: Channel, interview: Interview, drafts: DraftSettings, fields: dict[str, str] | None = None
) -> tuple[str, str]:
    """The follow-up's summary and description: what to do, and the draft to send."""
    if kind is Kind.FEEDBACK_REQUEST and interview.kind is EventKind.APPLICATION:
        subject_t, body_t = APPLICATION_FEEDBACK
    else:
        subject_t, body_t = TEMPLATES[(kind, channel)]
    custom = drafts.template(kind.value)
    if custom is not None and channel is Channel.EMAIL:
        body_t = custom
    values = defaultdict(str, fields if fields is not None else draft_fields(interview, drafts))
    subject, body = _one_period(subject_t.format_map(values), values), _one_period(body_t.format_map(values), values)
    summary = f"{SUMMARIES[(kind, channel)]} — {values['interview']}"
    contact = interview.contact
    if channel is Channel.CALL:
        description = body
    elif contact.email:
        link = mailto_link(contact.email, subject, body)
        description = f"To: {contact.name + ' ' if contact.name else ''}<{contact.email}>\nSubject: {subject}\n\n{body}\n\n{link}"
    else:
        description = f"Subject: {subject}\n\n{body}"
    return summary, description
