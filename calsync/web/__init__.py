"""The HTTP server: the feed (and later the board), its secret token and URLs."""
