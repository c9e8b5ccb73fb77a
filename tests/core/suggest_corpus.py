"""A labelled corpus for the interview detector (issue 17), and a generated background of ordinary events.

Written for calsync from the tools' public help pages and templates (no real invitations copied):
Greenhouse (support.greenhouse.io: candidate confirmation emails with .ics files, interviewer invites
carrying an Interview Kit link and scorecard), GoodTime (a "Candidate Calendar" organizer), Lever and
Ashby (recruiter invites sent through the ATS), Workday (myworkday addresses, requisition numbers),
Calendly (help.calendly.com: "Event Name", "Invitee", "Questions" blocks, "between HOST and INVITEE"
titles), Microsoft Bookings (service and staff lines), and the invitation texts Zoom, Microsoft Teams and
Google Meet add. English, German, French and Spanish.
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from calsync.core.model import Attendee, SourceEvent

ME = "robin.park@example.net"
ZONE = ZoneInfo("Europe/Berlin")
ZOOM = "Join Zoom Meeting\nhttps://us02web.zoom.us/j/84512345678?pwd=abc\nMeeting ID: 845 1234 5678\nOne tap mobile"
TEAMS = ("Microsoft Teams meeting\nJoin on your computer, mobile app or room device\nClick here to join the meeting\n"
         "Meeting ID: 312 445 901 22\nPasscode: x7Ab\nLearn More | Meeting options")
MEET = "Join with Google Meet\nmeet.google.com/abc-defg-hij\nJoin by phone\n(US) +1 555-0100 PIN: 123456#"


@dataclass(frozen=True)
class Case:
    interview: bool
    lang: str
    style: str
    summary: str
    description: str = ""
    organizer: tuple[str, str] | None = None
    attendees: tuple[tuple[str, str], ...] = ((("Robin Park", ME)),)
    all_day: bool = False

    def event(self, i: int) -> SourceEvent:
        start = dt.datetime(2026, 12, 1, 9, tzinfo=ZONE) + dt.timedelta(days=i % 40, hours=i % 8)
        org = Attendee(email=self.organizer[1], name=self.organizer[0]) if self.organizer else None
        people = tuple(Attendee(email=e, name=n, is_me=e == ME) for n, e in self.attendees)
        return SourceEvent(uid=f"case-{i}", summary=self.summary, description=self.description, start=start,
                           end=start + (dt.timedelta(days=1) if self.all_day else dt.timedelta(minutes=45)),
                           all_day=self.all_day, organizer=org, attendees=people)


def _with(*names: tuple[str, str]) -> tuple[tuple[str, str], ...]:
    return (("Robin Park", ME), *names)


C = Case
INTERVIEWS = [
    # Greenhouse: candidate confirmation with an .ics, sent by the coordinator
    C(True, "en", "greenhouse", "Interview with Acme Robotics", "Hi Robin,\nThanks for taking the time to interview with us! "
      "Your interview for the Backend Engineer position is confirmed.\nInterviewers: Dana Lee, Sam Ortiz\n" + ZOOM, ("Acme Recruiting", "recruiting@acme.example")),
    C(True, "en", "greenhouse", "Acme Robotics - Phone Screen", "Phone screen with Dana (Recruiter). Dana will call you at the number on your application.", ("Dana Lee", "dana.lee@acme.example"), _with(("Dana Lee", "dana.lee@acme.example"))),
    C(True, "en", "greenhouse", "Globex | Technical Interview", "Your technical interview for Site Reliability Engineer.\nInterviewer: Priya N.\n" + MEET, ("Globex Talent", "talent@globex.example")),
    C(True, "en", "greenhouse", "Virtual Onsite - Initech", "Agenda\n10:00 Coding interview\n11:00 System design interview\n12:00 Hiring manager interview\n" + ZOOM, ("Initech Recruiting Coordinator", "coordinator@initech.example")),
    C(True, "en", "greenhouse", "Interview Confirmation: Hooli", "This interview was scheduled via Greenhouse. Please arrive 10 minutes early.", ("no-reply", "no-reply@greenhouse.io")),
    C(True, "en", "greenhouse", "Umbrella: Hiring Manager Interview", "Meet Chris, the hiring manager for the Data Analyst role.\n" + TEAMS, ("Umbrella Careers", "careers@umbrella.example")),
    C(True, "en", "greenhouse", "Stark Industries Interview (Product Designer)", "Portfolio review with the design team.\n" + ZOOM, ("Tony's Assistant", "jobs@stark.example")),
    C(True, "en", "greenhouse", "Final Interview - Wayne Enterprises", "Final round with the VP of Engineering. " + MEET, ("Wayne Talent Acquisition", "ta@wayne.example")),
    C(True, "en", "greenhouse", "Behavioral Interview | Cyberdyne", "You will speak with two members of the platform team about past projects.", ("Cyberdyne Recruiting", "recruiting@cyberdyne.example")),
    C(True, "en", "greenhouse", "Soylent - Take-home review", "We'll walk through your take-home assignment together. " + ZOOM, ("Morgan", "morgan@soylent.example"), _with(("Morgan", "morgan@soylent.example"))),
    # GoodTime: "Candidate Calendar" organizer
    C(True, "en", "goodtime", "Acme Interview: Senior Frontend Developer", "Your interview is confirmed.\n" + ZOOM + "\nScheduled with GoodTime", ("Candidate Calendar", "candidate-calendar@acme.example")),
    C(True, "en", "goodtime", "Final Round - Massive Dynamic", "Four 45-minute conversations. Your interviewers: A. Bell, W. Bishop, O. Dunham, P. Bishop.", ("Candidate Calendar", "candidatecalendar@massive.example")),
    C(True, "en", "goodtime", "Initech | Panel Interview", "Panel interview with the data team.\n" + TEAMS, ("Candidate Calendar", "candidates@initech.example")),
    C(True, "en", "goodtime", "Onsite - Vandelay Industries", "Your onsite schedule is below. Please bring a photo ID.", ("Candidate Calendar", "candidate-calendar@vandelay.example")),
    C(True, "en", "goodtime", "Hooli Technical Screen", "Coding exercise in CoderPad with one engineer.\n" + MEET, ("Hooli Candidate Calendar", "candidate.calendar@hooli.example")),
    C(True, "en", "goodtime", "Pied Piper - System Design Interview", "Interviewer: Gilfoyle\n" + ZOOM, ("Candidate Calendar", "candidate-calendar@piedpiper.example")),
    # Lever: recruiter invites, often with a personal address
    C(True, "en", "lever", "Robin Park <> Acme - Recruiter Screen", "Looking forward to chatting about the Platform Engineer role!\n" + ZOOM, ("Jamie Fox", "jamie@acme.example"), _with(("Jamie Fox", "jamie@acme.example"))),
    C(True, "en", "lever", "Phone Screen with Jamie (Globex)", "Hi Robin, I'll call you to talk about your application and the team.", ("Jamie Fox", "jamie.fox@globex.example"), _with(("Jamie Fox", "jamie.fox@globex.example"))),
    C(True, "en", "lever", "Globex Interview - Round 2", "Second round interview with the engineering team. Sent via Lever.", ("Globex Hiring", "hiring@globex.example")),
    C(True, "en", "lever", "Intro call - Initech (Backend Engineer)", "Quick intro call with the recruiter to discuss the role.", ("Taylor Kim", "taylor.kim@initech.example"), _with(("Taylor Kim", "taylor.kim@initech.example"))),
    C(True, "en", "lever", "Tyrell Corp: Technical Interview", "You'll pair with an engineer for 60 minutes.\n" + MEET, ("Tyrell Recruiting", "recruiting@tyrell.example")),
    C(True, "en", "lever", "Chat with Alex - Hiring Manager, Payments", "Alex leads the payments team you applied to.\n" + ZOOM, ("Alex Moreno", "alex@stripe-like.example"), _with(("Alex Moreno", "alex@stripe-like.example"))),
    # Ashby
    C(True, "en", "ashby", "Acme x Robin: Technical Interview", "Scheduled with Ashby\n" + MEET, ("Acme Talent", "talent@acme.example")),
    C(True, "en", "ashby", "Interview with Linear (Product Engineer)", "Hi Robin, here's your interview. You'll meet two engineers.\n" + ZOOM, ("Linear Recruiting", "recruiting@linear-like.example")),
    C(True, "en", "ashby", "Onsite Interview - Vercel-like", "Your onsite interview loop. Please review the agenda. Powered by Ashby", ("no-reply", "no-reply@ashbyhq.com")),
    C(True, "en", "ashby", "Final round: Culture Fit Interview", "Conversation with our co-founders about how we work.", ("Ops Talent", "talent@ops.example")),
    C(True, "en", "ashby", "Recruiter Call - Northwind", "First conversation about the Data Scientist position.\n" + TEAMS, ("Northwind People", "people@northwind.example")),
    # Workday
    C(True, "en", "workday", "Interview for Software Engineer II (R-10432)", "Dear Robin, thank you for your interest in Contoso. Your interview has been scheduled.", ("Contoso", "contoso@myworkday.com")),
    C(True, "en", "workday", "Contoso Interview: Cloud Architect (JR0012345)", "Please find the details of your interview below.\n" + TEAMS, ("Contoso Talent Acquisition", "talentacquisition@contoso.example")),
    C(True, "en", "workday", "Phone Interview - Fabrikam", "Fabrikam recruiting team will call you. Job requisition R-5531.", ("Fabrikam Recruiting", "fabrikam@myworkday.com")),
    C(True, "en", "workday", "Job Interview - Litware Inc.", "Interview for the position of Business Analyst.", ("Litware HR", "hr@litware.example")),
    # Calendly: generic titles, the description tells
    C(True, "en", "calendly", "Recruiter Screen between Jordan Reyes and Robin Park", "Event Name: Recruiter Screen\n\nInvitee: Robin Park\nInvitee Email: " + ME + "\n\nQuestions:\nWhich role are you applying for?\nBackend Engineer\n\nPowered by Calendly.com", ("Jordan Reyes", "jordan@acme.example"), _with(("Jordan Reyes", "jordan@acme.example"))),
    C(True, "en", "calendly", "30 Minute Meeting between Jordan Reyes and Robin Park", "Event Name: 30 Minute Meeting\nLocation: Zoom\n\nInvitee: Robin Park\n\nQuestions:\nWhich position are you interviewing for?\nSenior Data Engineer\n\nPowered by Calendly.com", ("Jordan Reyes", "jordan.reyes@talent.globex.example"), _with(("Jordan Reyes", "jordan.reyes@talent.globex.example"))),
    C(True, "en", "calendly", "Intro Call between Casey and Robin Park", "Event Name: Intro Call with the Initech Recruiting Team\n\nInvitee: Robin Park\nQuestions:\nLink to your resume\n\nPowered by Calendly.com", ("Casey", "casey@initech.example"), _with(("Casey", "casey@initech.example"))),
    C(True, "en", "calendly", "Phone Screen (Hooli) between Sam and Robin Park", "Event Name: Phone Screen\nInvitee: Robin Park\nPowered by Calendly.com", ("Sam", "sam@hooli.example"), _with(("Sam", "sam@hooli.example"))),
    C(True, "en", "calendly", "Technical Interview between Ada and Robin", "Event Name: Technical Interview (60 min)\nInvitee: Robin\nPowered by Calendly.com", ("Ada", "ada@analytical.example"), _with(("Ada", "ada@analytical.example"))),
    # Microsoft Bookings
    C(True, "en", "bookings", "Contoso Careers: Phone interview", "Your booking is confirmed.\nService: Phone interview\nStaff: Mia Wong\nBooked with Microsoft Bookings", ("Contoso Careers", "careers@contoso.example")),
    C(True, "en", "bookings", "Fabrikam Hiring - Interview slot", "Service: Candidate interview (45 min)\nStaff: Recruiting team\n" + TEAMS, ("Fabrikam Hiring", "hiring@fabrikam.example")),
    # plain Zoom / Teams / Meet invites from a recruiter
    C(True, "en", "zoom", "Acme / Robin Park", "Hi Robin, as discussed here's the invite for our conversation about the Staff Engineer role.\n" + ZOOM, ("Pat Doyle (Recruiter)", "pat@acme.example"), _with(("Pat Doyle (Recruiter)", "pat@acme.example"))),
    C(True, "en", "zoom", "Zoom: Robin <> Globex hiring team", ZOOM, ("Globex Recruiting", "recruiting@globex.example")),
    C(True, "en", "teams", "Interview - Data Engineer", TEAMS, ("Erin Walsh", "erin.walsh@contoso.example"), _with(("Erin Walsh", "erin.walsh@contoso.example"))),
    C(True, "en", "teams", "Second round interview (Contoso)", "Hi Robin, thank you for your time last week. " + TEAMS, ("Contoso Talent", "talent@contoso.example")),
    C(True, "en", "meet", "Initech interview: Product Manager", MEET, ("Lee Chen", "lee@initech.example"), _with(("Lee Chen", "lee@initech.example"))),
    C(True, "en", "meet", "Coding interview w/ Globex", "We'll use a shared doc. " + MEET, ("Ivy", "ivy@globex.example"), _with(("Ivy", "ivy@globex.example"))),
    C(True, "en", "meet", "Onsite: Acme (Backend Engineer)", "Address: 1 Main St, 4th floor. Ask for the recruiter at reception.", ("Acme Recruiting", "recruiting@acme.example")),
    C(True, "en", "plain", "Interview at Acme", "Bring portfolio. Ask about team size.", None, ()),
    C(True, "en", "plain", "Phone screen - Globex", "", None, ()),
    C(True, "en", "plain", "Job interview Hooli 2nd round", "Building 4, room 2.", None, ()),
    # German
    C(True, "de", "teams", "Vorstellungsgespräch Muster GmbH", "Hallo Robin, vielen Dank für Ihre Bewerbung als Softwareentwickler. Gerne laden wir Sie zu einem Gespräch ein.\n" + TEAMS, ("Muster GmbH Karriere", "karriere@muster.example")),
    C(True, "de", "plain", "Telefoninterview – Backend-Entwickler", "Frau Schulz aus der Personalabteilung ruft Sie an.", ("Anna Schulz", "anna.schulz@beispiel.example"), _with(("Anna Schulz", "anna.schulz@beispiel.example"))),
    C(True, "de", "greenhouse", "Zweitgespräch bei Beispiel AG", "Zweitgespräch mit dem Teamleiter und einer Entwicklerin.\n" + ZOOM, ("Beispiel Recruiting", "recruiting@beispiel.example")),
    C(True, "de", "personio", "Kennenlerngespräch Firma XY", "Ihre Bewerbung: Data Analyst (m/w/d). Einladung zum Kennenlerngespräch.", ("Firma XY Jobs", "jobs@xy.example")),
    C(True, "de", "meet", "Bewerbungsgespräch – Produktdesignerin", "Hallo Robin, wir freuen uns auf das Gespräch!\n" + MEET, ("Lena Vogel", "bewerbung@atelier.example")),
    C(True, "de", "zoom", "Fachgespräch Entwicklung", "Technisches Fachgespräch mit zwei Entwicklern.\n" + ZOOM, ("Talent Team", "talent@werk.example")),
    C(True, "de", "teams", "Videointerview Stadtwerke", "Einladung zum Videointerview für die Stelle als Systemadministrator.\n" + TEAMS, ("Stadtwerke Personal", "personal@stadtwerke.example")),
    C(True, "de", "goodtime", "Interview: Senior Engineer (Berlin)", "Ihr Interview ist bestätigt.", ("Candidate Calendar", "candidate-calendar@zalando-like.example")),
    C(True, "de", "calendly", "Erstgespräch zwischen Tim und Robin", "Event Name: Erstgespräch Recruiting\nInvitee: Robin\nFragen: Für welche Stelle bewerben Sie sich? Entwickler\nPowered by Calendly.com", ("Tim", "tim@agentur.example"), _with(("Tim", "tim@agentur.example"))),
    C(True, "de", "plain", "Vorstellungsgespräch Bäckerei Sonne", "Lebenslauf mitbringen", None, ()),
    C(True, "de", "workday", "Interview für Projektmanager (R-2231)", "Sehr geehrte/r Robin, vielen Dank für Ihr Interesse. Ihr Interview wurde geplant.", ("Konzern AG", "konzern@myworkday.com")),
    C(True, "de", "teams", "Auswahlgespräch Trainee-Programm", "Auswahlgespräch mit HR und Fachbereich.\n" + TEAMS, ("HR", "hr@bank.example")),
    # French
    C(True, "fr", "meet", "Entretien d'embauche - Société Exemple", "Bonjour Robin, suite à votre candidature au poste de développeur, nous avons le plaisir de vous convier à un entretien.\n" + MEET, ("Recrutement Exemple", "recrutement@exemple.example")),
    C(True, "fr", "plain", "Entretien téléphonique avec Alpha", "La chargée de recrutement vous appellera.", ("Claire Martin", "claire.martin@alpha.example"), _with(("Claire Martin", "claire.martin@alpha.example"))),
    C(True, "fr", "teams", "Entretien technique - Ingénieur DevOps", "Entretien technique avec l'équipe plateforme.\n" + TEAMS, ("Talent Alpha", "talent@alpha.example")),
    C(True, "fr", "zoom", "Entretien RH - Beta SA", "Premier entretien avec les ressources humaines.\n" + ZOOM, ("RH Beta", "rh@beta.example")),
    C(True, "fr", "greenhouse", "Entretien final : Gamma", "Entretien final avec le CTO. Vos interviewers : L. Petit, M. Roux.", ("Gamma Recrutement", "jobs@gamma.example")),
    C(True, "fr", "plain", "Entretien Delta (poste de product manager)", "Apporter le portfolio", None, ()),
    C(True, "fr", "calendly", "Entretien de recrutement entre Julie et Robin", "Event Name: Entretien de recrutement\nInvitee: Robin\nPowered by Calendly.com", ("Julie", "julie@epsilon.example"), _with(("Julie", "julie@epsilon.example"))),
    C(True, "fr", "meet", "Entretien avec le manager - Zeta", "Deuxième étape du processus pour le poste de data analyst.\n" + MEET, ("Zeta Carrières", "carrieres@zeta.example")),
    C(True, "fr", "teams", "Visio: entretien Eta", "Bonjour, voici le lien pour notre entretien concernant votre candidature.\n" + TEAMS, ("Sophie Bernard", "sophie.bernard@eta.example"), _with(("Sophie Bernard", "sophie.bernard@eta.example"))),
    # Spanish
    C(True, "es", "meet", "Entrevista de trabajo - Empresa Ejemplo", "Hola Robin, gracias por tu candidatura al puesto de desarrollador. Te confirmamos la entrevista.\n" + MEET, ("Selección Ejemplo", "seleccion@ejemplo.example")),
    C(True, "es", "teams", "Entrevista técnica - Ingeniera de datos", "Entrevista técnica con el equipo de datos.\n" + TEAMS, ("Talento Uno", "talento@uno.example")),
    C(True, "es", "plain", "Entrevista telefónica con Dos S.L.", "Nos pondremos en contacto por teléfono.", ("RRHH Dos", "rrhh@dos.example")),
    C(True, "es", "zoom", "Entrevista final en Tres", "Entrevista final con el director de producto.\n" + ZOOM, ("Reclutamiento Tres", "reclutamiento@tres.example")),
    C(True, "es", "greenhouse", "Entrevista con Cuatro (Backend Engineer)", "Entrevistadores: Ana, Luis.\n" + MEET, ("Cuatro Recruiting", "recruiting@cuatro.example")),
    C(True, "es", "plain", "Entrevista Cinco - 2a ronda", "Llevar DNI", None, ()),
    C(True, "es", "calendly", "Entrevista de selección entre Marta y Robin", "Event Name: Entrevista de selección\nInvitee: Robin\nPowered by Calendly.com", ("Marta", "marta@seis.example"), _with(("Marta", "marta@seis.example"))),
    C(True, "es", "teams", "Videollamada: proceso de selección Siete", "Hola Robin, te esperamos para la entrevista del puesto de diseñadora.\n" + TEAMS, ("Laura Gómez", "laura.gomez@siete.example"), _with(("Laura Gómez", "laura.gomez@siete.example"))),
    C(True, "es", "bookings", "Ocho: entrevista personal", "Servicio: Entrevista personal\nPersonal: Equipo de selección\nMicrosoft Bookings", ("Ocho Empleo", "empleo@ocho.example")),
    # weak cues with a second one
    C(True, "en", "plain", "Onsite - Acme", "Onsite with the platform team.", ("Acme Recruiting", "recruiting@acme.example")),
    C(True, "en", "plain", "Final round Globex", "Final round for the Senior Engineer role.", ("Globex Talent", "talent@globex.example")),
    C(True, "en", "zoom", "Intro call", "Intro call about the Frontend Developer opening. " + ZOOM, ("Hiring at Initech", "hiring@initech.example")),
]

LOOKALIKES = [
    # interview prep, mock and practice
    C(False, "en", "plain", "Interview prep: Acme onsite", "Review system design notes", None, ()),
    C(False, "en", "plain", "Mock interview with Sam", "Practice behavioral questions", ("Sam Rivera", "sam@friends.example"), _with(("Sam Rivera", "sam@friends.example"))),
    C(False, "en", "calendly", "Mock Technical Interview between Coach and Robin", "Event Name: Mock interview (60 min)\nPowered by Calendly.com", ("Interview Coach", "coach@careercoach.example"), _with(("Interview Coach", "coach@careercoach.example"))),
    C(False, "en", "zoom", "Practice system design interview", ZOOM, ("Pramp", "noreply@pramp.example"), _with(("Peer", "peer@pramp.example"))),
    C(False, "en", "plain", "Prepare for Globex phone screen", "", None, ()),
    C(False, "en", "plain", "Interview rehearsal with mentor", "Dry run of my onsite presentation", ("Mentor", "mentor@example.org"), _with(("Mentor", "mentor@example.org"))),
    C(False, "en", "meet", "Technical interview practice (peer)", MEET, ("Kai", "kai@example.org"), _with(("Kai", "kai@example.org"))),
    C(False, "en", "plain", "#interview-prep Hooli", "Mock interview", None, ()),
    C(False, "de", "plain", "Vorbereitung Vorstellungsgespräch", "Fragen zur Firma vorbereiten", None, ()),
    C(False, "de", "zoom", "Probeinterview mit Coach", ZOOM, ("Karriere Coach", "coach@coaching.example"), _with(("Karriere Coach", "coach@coaching.example"))),
    C(False, "fr", "plain", "Préparation entretien Alpha", "Relire la fiche de poste", None, ()),
    C(False, "fr", "meet", "Simulation d'entretien avec Pôle emploi", MEET, ("Conseiller", "conseiller@emploi.example"), _with(("Conseiller", "conseiller@emploi.example"))),
    C(False, "es", "plain", "Preparación entrevista Uno", "Repasar preguntas", None, ()),
    C(False, "es", "zoom", "Simulacro de entrevista", ZOOM, ("Mentora", "mentora@ejemplo.org"), _with(("Mentora", "mentora@ejemplo.org"))),
    # podcast, press, media
    C(False, "en", "zoom", "Podcast interview: The Dev Show", "Recording an episode about my open-source work.\n" + ZOOM, ("Dev Show", "host@devshow.example"), _with(("Host", "host@devshow.example"))),
    C(False, "en", "plain", "Press interview with TechDaily", "Journalist: M. Chen, about our launch", ("Comms", "comms@mycompany.example"), _with(("M. Chen", "mchen@techdaily.example"))),
    C(False, "en", "plain", "Radio interview (local station)", "", None, ()),
    C(False, "en", "teams", "Media interview prep", TEAMS, ("PR Team", "pr@mycompany.example"), _with(("PR Team", "pr@mycompany.example"))),
    C(False, "de", "plain", "Interview mit der Lokalzeitung", "Journalistin Frau Weber, Thema Ehrenamt", None, ()),
    C(False, "fr", "plain", "Interview presse - Le Journal", "Questions sur le projet associatif", None, ()),
    C(False, "es", "plain", "Entrevista en la radio", "Programa de la mañana, hablar del club", None, ()),
    C(False, "en", "zoom", "Webinar: Acing the technical interview", "Join our free webinar with tips for your next interview. " + ZOOM, ("CareerHub Events", "events@careerhub.example")),
    C(False, "en", "plain", "Interview livestream with the author", "Livestream Q&A", None, ()),
    # the user is the interviewer
    C(False, "en", "greenhouse", "Interview: Jordan Smith for Backend Engineer", "Interview Kit: https://app.greenhouse.io/guides/123/people/456?application_id=789\nPlease submit your scorecard within 24 hours.", ("Our Recruiting", "recruiting@mycompany.example"), _with(("Recruiting", "recruiting@mycompany.example"))),
    C(False, "en", "greenhouse", "Debrief: Jordan Smith", "Hiring team debrief for the Backend Engineer candidate.", ("Our Recruiting", "recruiting@mycompany.example"), _with(("Hiring Manager", "hm@mycompany.example"))),
    C(False, "en", "plain", "Hiring committee", "Review candidate packets.", ("Our Recruiting", "recruiting@mycompany.example"), _with(("HC", "hc@mycompany.example"))),
    C(False, "en", "plain", "Interviewer training", "Learn how to run structured interviews.", ("Talent Ops", "talent@mycompany.example"), _with(("Talent Ops", "talent@mycompany.example"))),
    C(False, "en", "goodtime", "Phone Screen: Alex Kim (Data Analyst)", "Your interview kit and scorecard are in GoodTime.", ("Candidate Calendar", "candidate-calendar@mycompany.example"), _with(("Alex Kim", "alex.kim@gmail.example"))),
    C(False, "en", "lever", "Interview debrief - Platform Engineer", "Lever feedback form due today.", ("Recruiting", "recruiting@mycompany.example"), _with(("Panel", "panel@mycompany.example"))),
    C(False, "en", "ashby", "Technical interview with candidate Maria Lopez", "Please review the interview kit and submit your scorecard in Ashby.", ("Our Talent", "talent@mycompany.example"), _with(("Maria Lopez", "maria@mail.example"))),
    C(False, "de", "teams", "Interview mit Kandidat – Bewertungsbogen ausfüllen", TEAMS, ("HR", "hr@meinefirma.example"), _with(("Kandidat", "kandidat@mail.example"))),
    C(False, "fr", "plain", "Entretien candidat - grille d'évaluation", "Remplir la grille d'évaluation après l'entretien", ("RH", "rh@monentreprise.example"), _with(("Candidat", "candidat@mail.example"))),
    C(False, "es", "plain", "Entrevista a candidata - evaluación del candidato", "Rellenar la evaluación del candidato", ("RRHH", "rrhh@miempresa.example"), _with(("Candidata", "candidata@mail.example"))),
    C(False, "en", "plain", "Interview calibration", "Align on the rubric", ("Recruiting", "recruiting@mycompany.example"), _with(("Team", "team@mycompany.example"))),
    # informational chats
    C(False, "en", "plain", "Informational interview with Alex (Acme)", "Learn about their PM career path", ("Alex", "alex@acme.example"), _with(("Alex", "alex@acme.example"))),
    C(False, "en", "meet", "Coffee chat - Globex engineer", MEET, ("Bo", "bo@globex.example"), _with(("Bo", "bo@globex.example"))),
    C(False, "en", "plain", "Networking lunch with recruiters", "Meetup downtown", None, ()),
    C(False, "de", "plain", "Informationsgespräch Agentur für Arbeit", "", None, ()),
    C(False, "fr", "plain", "Entretien informatif avec un ancien", "", None, ()),
    C(False, "es", "plain", "Entrevista informativa con exalumna", "", None, ()),
    C(False, "en", "zoom", "Info interview: life at Initech", ZOOM, ("Jess", "jess@initech.example"), _with(("Jess", "jess@initech.example"))),
    # research, staff and other senses of the word
    C(False, "en", "zoom", "Customer interview - Globex", "Discovery call about their onboarding pain points.\n" + ZOOM, ("Me", ME), _with(("Globex PM", "pm@globex.example"))),
    C(False, "en", "plain", "User research interviews (batch 3)", "Usability tests of the new checkout", ("Research Ops", "research@mycompany.example"), _with(("Research", "research@mycompany.example"))),
    C(False, "en", "plain", "Exit interview", "With HR, last day", ("HR", "hr@mycompany.example"), _with(("HR", "hr@mycompany.example"))),
    C(False, "en", "plain", "Stay interview with my manager", "", ("Manager", "boss@mycompany.example"), _with(("Manager", "boss@mycompany.example"))),
    C(False, "de", "teams", "Mitarbeitergespräch", "Jahresgespräch mit der Teamleitung\n" + TEAMS, ("Teamleitung", "lead@meinefirma.example"), _with(("Teamleitung", "lead@meinefirma.example"))),
    C(False, "fr", "plain", "Entretien annuel", "Objectifs de l'année", ("Manager", "manager@monentreprise.example"), _with(("Manager", "manager@monentreprise.example"))),
    C(False, "fr", "plain", "Entretien chaudière", "Technicien entre 8h et 12h", None, ()),
    C(False, "fr", "plain", "Entretien professionnel", "Bilan avec les RH", ("RH", "rh@monentreprise.example"), _with(("RH", "rh@monentreprise.example"))),
    C(False, "es", "plain", "Evaluación anual con RRHH", "Revisión anual de objetivos", ("RRHH", "rrhh@miempresa.example"), _with(("RRHH", "rrhh@miempresa.example"))),
    # organized alone by the user, or the user's own job-search chores
    C(False, "en", "plain", "Interview Acme", "Research the team before Thursday", ("Robin Park", ME), _with()),
    C(False, "en", "plain", "Job search: apply to 5 roles", "", ("Robin Park", ME), _with()),
    C(False, "de", "plain", "Bewerbung schreiben", "Anschreiben für Stelle bei Muster GmbH", ("Robin Park", ME), _with()),
    C(False, "en", "plain", "Read 'Cracking the Coding Interview'", "Chapters 4-6", ("Robin Park", ME), _with()),
    C(False, "en", "plain", "Update resume for recruiter", "", ("Robin Park", ME), _with()),
    C(False, "es", "plain", "Enviar candidatura a Tres", "", ("Robin Park", ME), _with()),
    # scheduling tools and video calls that are not interviews
    C(False, "en", "calendly", "30 Minute Meeting between Dr. Hill and Robin Park", "Event Name: 30 Minute Meeting\nInvitee: Robin Park\nQuestions: Reason for visit? Checkup\nPowered by Calendly.com", ("Dr. Hill", "office@hillclinic.example"), _with(("Dr. Hill", "office@hillclinic.example"))),
    C(False, "en", "bookings", "Haircut - Salon Rosa", "Your booking is confirmed.\nService: Haircut\nStaff: Rosa\nMicrosoft Bookings", ("Salon Rosa", "bookings@salonrosa.example")),
    C(False, "en", "zoom", "Book club", ZOOM, ("Nina", "nina@friends.example"), _with(("Nina", "nina@friends.example"))),
    C(False, "en", "teams", "Sprint planning", TEAMS, ("Scrum Master", "sm@mycompany.example"), _with(("Team", "team@mycompany.example"))),
    C(False, "en", "meet", "1:1 with manager", MEET, ("Manager", "boss@mycompany.example"), _with(("Manager", "boss@mycompany.example"))),
    C(False, "en", "calendly", "Intro call between Solar Co and Robin Park", "Event Name: Free solar consultation\nInvitee: Robin Park\nPowered by Calendly.com", ("Solar Co", "sales@solar.example"), _with(("Solar Co", "sales@solar.example"))),
    C(False, "en", "zoom", "Career fair: meet the recruiters", "Virtual career fair, drop in any time. Webinar link: " + ZOOM, ("University Careers", "careers@uni.example")),
    C(False, "en", "plain", "Recruiting webinar: how we hire", "Livestream for applicants", ("Globex Talent", "talent@globex.example")),
    C(False, "de", "teams", "Teammeeting", "Wöchentliches Teammeeting\n" + TEAMS, ("Lead", "lead@meinefirma.example"), _with(("Team", "team@meinefirma.example"))),
    C(False, "fr", "meet", "Réunion parents d'élèves", MEET, ("École", "ecole@ville.example"), _with(("École", "ecole@ville.example"))),
    C(False, "es", "zoom", "Clase de yoga", ZOOM, ("Estudio", "hola@yoga.example"), _with(("Estudio", "hola@yoga.example"))),
    C(False, "en", "plain", "Onsite at client", "Install the new router", ("Ops", "ops@mycompany.example"), _with(("Client", "it@client.example"))),
    C(False, "en", "plain", "Final round of golf league", "", None, ()),
    C(False, "en", "plain", "Intro call with new accountant", "", ("Accountant", "office@taxes.example"), _with(("Accountant", "office@taxes.example"))),
    C(False, "en", "plain", "Team offsite", "All day", None, (), True),
    C(False, "en", "plain", "Lunch with the engineering team", "", None, ()),
    C(False, "en", "plain", "Dentist", "Dr. Molar, 2nd floor", None, ()),
    C(False, "de", "plain", "Zahnarzt", "Kontrolle", None, ()),
    C(False, "fr", "plain", "Rendez-vous médecin", "", None, ()),
    C(False, "es", "plain", "Cita con el dentista", "", None, ()),
    C(False, "en", "plain", "Design review: onboarding flow", "Designer and product manager walk through mocks", ("PM", "pm@mycompany.example"), _with(("Design", "design@mycompany.example"))),
    C(False, "en", "plain", "Career coaching session", "Resume and LinkedIn review with coach", ("Coach", "coach@careercoach.example"), _with(("Coach", "coach@careercoach.example"))),
    C(False, "en", "zoom", "Recruiter newsletter call (weekly)", "Weekly webinar for job seekers. " + ZOOM, ("JobsWeekly", "events@jobsweekly.example")),
    C(False, "en", "plain", "Interview with grandma for family history", "Podcast-style recording for the kids", None, ()),
    C(False, "de", "plain", "Interview Podcast Folge 12", "Aufnahme im Studio", None, ()),
    C(False, "fr", "zoom", "Podcast : entretien avec une autrice", ZOOM, ("Podcast", "podcast@radio.example"), _with(("Autrice", "autrice@livres.example"))),
    C(False, "es", "plain", "Entrevista para el podcast del barrio", "", None, ()),
    C(False, "en", "plain", "Hiring sync (my team)", "Headcount planning for Q1", ("Robin Park", ME), _with(("Director", "director@mycompany.example"))),
]
CORPUS = INTERVIEWS + LOOKALIKES


def background(n: int = 10_000, seed: int = 17) -> list[SourceEvent]:
    """Ordinary calendar life: meetings, 1:1s, personal appointments, webinars, travel; generated."""
    rng = random.Random(seed)
    work = ["Standup", "Sprint planning", "Retro", "1:1 with {p}", "All hands", "Design review", "Customer call: {c}",
            "Sales demo for {c}", "Quarterly planning", "Incident review", "Architecture sync", "Lunch & learn",
            "Pairing with {p}", "Budget review", "Roadmap discussion", "Onboarding: {p}", "Team offsite planning",
            "Product sync", "Marketing weekly", "Board prep", "Security training", "Vendor call: {c}", "Code review session",
            "Hackathon kickoff", "Release party", "OKR check-in", "Teammeeting", "Réunion d'équipe", "Reunión semanal",
            "Jour fixe", "Point hebdo", "Kundentermin {c}", "Revisión de sprint", "Weekly with {p}", "Hiring plan review"]
    life = ["Dentist", "Gym", "Yoga", "Pick up kids", "Dinner with {p}", "Birthday: {p}", "Flight to Lisbon",
            "Train to Munich", "Haircut", "Car service", "Parent-teacher meeting", "Doctor appointment", "Vet",
            "Football practice", "Piano lesson", "Groceries", "Book club", "Zahnarzt", "Coiffeur", "Médecin",
            "Cena con {p}", "Cumpleaños de {p}", "Physiotherapie", "Call mom", "Apartment viewing", "Pay rent",
            "Tax appointment", "Plumber visit", "Concert", "Movie night"]
    webinars = ["Webinar: Kubernetes best practices", "Webinar: Intro to Rust", "Conference talk: {c} keynote",
                "Meetup: Python User Group", "Webinar: AI in healthcare", "Workshop: public speaking",
                "Livestream: product launch", "Webinar – Datenschutz", "Webinaire : cybersécurité", "Seminario web: ventas"]
    descriptions = ["", "", "", ZOOM, TEAMS, MEET, "Agenda: updates, blockers, next steps", "Room 4.12",
                    "Please review the doc beforehand.", "Bring laptop", "Notes: https://docs.example/notes",
                    "Zoom link in the description of the series.", "Calendly booking: Event Name: 30 Minute Meeting",
                    "Booked with Microsoft Bookings. Service: Consultation", "Dial-in: press 1 for English"]
    people = ["Alex", "Sam", "Maria", "Jonas", "Chloé", "Diego", "Priya", "Kenji", "Fatima", "Lukas"]
    companies = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Contoso", "Fabrikam", "Northwind"]
    colleagues = [Attendee(email=f"{p.lower()}@mycompany.example", name=p) for p in people]
    events = []
    for i in range(n):
        kind = rng.random()
        pool = work if kind < 0.55 else life if kind < 0.9 else webinars
        summary = rng.choice(pool).format(p=rng.choice(people), c=rng.choice(companies))
        description = rng.choice(descriptions)
        organizer, attendees = None, ()
        if pool is work:
            organizer = rng.choice(colleagues + [Attendee(email=ME, name="Robin Park", is_me=True)])
            attendees = (Attendee(email=ME, name="Robin Park", is_me=True), *rng.sample(colleagues, rng.randint(1, 4)))
        start = dt.datetime(2026, 1, 5, 8, tzinfo=ZONE) + dt.timedelta(days=rng.randrange(365), minutes=30 * rng.randrange(20))
        all_day = summary.startswith(("Birthday", "Cumpleaños", "Flight", "Team offsite"))
        events.append(SourceEvent(uid=f"bg-{i}", summary=summary, description=description, start=start,
                                  end=start + dt.timedelta(days=1 if all_day else 0, minutes=0 if all_day else 30),
                                  all_day=all_day, organizer=organizer, attendees=attendees))
    return events
