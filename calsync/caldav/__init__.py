"""CalDAV (Nextcloud, iCloud, Fastmail, Radicale, Baïkal): the account, the source, the sink, and the one place HTTP errors are mapped."""
