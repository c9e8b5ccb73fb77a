"""The .ics format: reading (parse, fetch, limits) and writing (the feed, VTIMEZONE)."""
