"""The share link comes from the app's own address, never from the address a browser asked for."""

from __future__ import annotations

import pytest

from meridian_map.links import PUBLIC_URL_ENV, ShareLink, local_base, public_base, share_link

QUERY = {"regions": "lower_back_left,sacrum", "view": "posterior"}


def test_the_public_address_gives_a_link_that_works_anywhere() -> None:
    env = {PUBLIC_URL_ENV: "https://meridian-map.example.org/clinic"}
    assert share_link(QUERY, environ=env) == ShareLink(
        "https://meridian-map.example.org/clinic/?regions=lower_back_left,sacrum&view=posterior", public=True
    )
    assert share_link({}, environ=env).url == "https://meridian-map.example.org/clinic/"


def test_without_it_the_link_is_this_computers_own() -> None:
    link = share_link(QUERY, port=8600, base_path="/meridian/", environ={})
    assert link == ShareLink("http://localhost:8600/meridian/?regions=lower_back_left,sacrum&view=posterior", False)
    assert local_base() == "http://localhost:8501/"


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        "ftp://example.org/",
        "javascript:alert(1)",
        "https://user:secret@example.org/",
        "https://example.org/?x=1",
        "https://example.org/#top",
        "https:/no-host",
        "https://example.org/" + "a" * 400,
        "https://exa mple.org/",
        "https://example.org/\nx",
    ],
)
def test_an_unusable_public_address_is_not_used(value: str) -> None:
    assert public_base({PUBLIC_URL_ENV: value}) is None
    assert share_link(QUERY, environ={PUBLIC_URL_ENV: value}).public is False


def test_the_base_path_is_quoted_and_nothing_from_a_request_gets_in() -> None:
    # A crafted base path (from the configuration) cannot carry Markdown or a second address.
    link = share_link({}, base_path="x)![i](https:leak.test)(", environ={})
    assert "(" not in link.url and ")" not in link.url and "[" not in link.url
    assert share_link(QUERY, environ={PUBLIC_URL_ENV: "https://example.org/a b"}).public is False
    path = public_base({PUBLIC_URL_ENV: "https://example.org/caf%C3%A9/"})
    assert path == "https://example.org/caf%C3%A9/"
