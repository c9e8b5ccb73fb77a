"""CSRF tokens and the same-origin check, as pure functions."""
import pytest

from calsync.web.csrf import TOKEN_LIFETIME, CsrfTokens, same_origin


def test_issued_tokens_are_valid_forged_or_altered_ones_are_not():
    tokens = CsrfTokens(b"k" * 32, clock=lambda: 1000)
    good = tokens.issue()
    assert tokens.valid(good)
    assert tokens.issue() != good  # a fresh token per page
    body, _, mac = good.rpartition(".")
    assert not tokens.valid(body + "." + "0" * len(mac))
    assert not tokens.valid(good.replace(good.split(".")[0], str(10 ** 12), 1))  # a later expiry, same mac
    assert not CsrfTokens(b"o" * 32, clock=lambda: 1000).valid(good)  # another server's secret
    for junk in ("", ".", "..", "abc", "1.2.3", "é.é.é", "9" * 500):
        assert not tokens.valid(junk)


def test_tokens_expire():
    now = [1000.0]
    tokens = CsrfTokens(b"k" * 32, clock=lambda: now[0])
    token = tokens.issue()
    now[0] += TOKEN_LIFETIME + 1
    assert not tokens.valid(token)


BOARD = {"HTTP_HOST": "192.168.1.5:8737"}


@pytest.mark.parametrize("headers, ok", [
    ({"HTTP_SEC_FETCH_SITE": "same-origin", "HTTP_ORIGIN": "null"}, True),  # a plain form under no-referrer
    ({"HTTP_ORIGIN": "http://192.168.1.5:8737"}, True),  # fetch() from the page
    ({"HTTP_REFERER": "http://192.168.1.5:8737/tok/"}, True),
    ({"HTTP_ORIGIN": "null"}, True),  # an old browser: the CSRF token alone decides
    ({}, False),  # nothing says where it came from
    ({"HTTP_SEC_FETCH_SITE": "cross-site", "HTTP_ORIGIN": "null"}, False),
    ({"HTTP_SEC_FETCH_SITE": "same-site"}, False),
    ({"HTTP_ORIGIN": "http://evil.example"}, False),
    ({"HTTP_ORIGIN": "http://192.168.1.5:8737", "HTTP_REFERER": "http://evil.example/x"}, False),
    ({"HTTP_SEC_FETCH_SITE": "same-origin", "HTTP_ORIGIN": "http://192.168.1.5:9999"}, False),
    ({"HTTP_REFERER": "not a url"}, False),
])
def test_same_origin(headers, ok):
    assert same_origin({**BOARD, **headers}) is ok


def test_public_url_is_an_accepted_origin_behind_a_proxy():
    environ = {"HTTP_HOST": "127.0.0.1:8737", "HTTP_ORIGIN": "https://jobs.example.org"}
    assert not same_origin(environ)
    assert same_origin(environ, "https://jobs.example.org/calsync")
