"""Google Calendar: authorization, the source, the sink, and the one place HTTP errors are mapped."""
