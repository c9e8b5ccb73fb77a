"""Where interviews come from: .ics files and URLs, Google Calendar."""
