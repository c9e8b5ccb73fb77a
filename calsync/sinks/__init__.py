"""Where follow-ups go: the .ics feed, Google Calendar."""
