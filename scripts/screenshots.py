"""Refresh the README's screenshots from the running app: `make screenshots`."""

from __future__ import annotations

import datetime
import sys
from collections.abc import Callable

from playwright.sync_api import Page

from meridian_map import open_atlas
from meridian_map.figure import Selection
from meridian_map.handout import handout_png
from meridian_map.links import PUBLIC_URL_ENV, share_link
from meridian_map.testing import MAP, ROOT, chromium, figure_to_page, fingers, running_app, wait_for_app

ASSETS = ROOT / "assets"
DESKTOP, PHONE = (1400, 1000), (390, 844)
# Each view and each mode at desktop and phone width (a phone shot is one screen high: the diagram
# fits it, the panel follows below), with a choice that shows what the view or mode is for.
STATES = {
    # name: (query string, desktop height if the view needs more)
    "lower-back": ("?regions=lower_back_left,sacrum&point=BL23", None),
    "side-view": ("?view=lateral&regions=side_of_thigh_right,side_of_lower_leg_right&channel=GB", None),
    "front-view": ("?view=anterior&regions=inner_leg_left,sole_left&channel=KI", None),
    "inner-leg": ("?view=medial&regions=inner_leg_right&point=KI3", 1500),
    "patient": ("?mode=patient&regions=lower_back_left,sacrum", None),
    "student": ("?mode=student&seed=12&labels=code&landmarks=1&regions=lower_back_left", None),
}
SHOTS = {
    "screenshot-start": ("", DESKTOP),
    **{f"screenshot-{name}": (query, (DESKTOP[0], tall or DESKTOP[1])) for name, (query, tall) in STATES.items()},
    **{f"screenshot-phone-{name}": (query, PHONE) for name, (query, _) in STATES.items()},
    "screenshot-phone": ("?regions=neck_right", PHONE),
    "screenshot-phone-zoomed": ("?view=lateral&channels=GB", PHONE),
}


def zoom_on_the_head(page: Page) -> None:
    """Two fingers spread over the side view's head (at GB8, above the ear), where the Gallbladder's
    20 head points sit: three times larger."""
    page.locator(f"{MAP} .mm-toolbar").evaluate("(bar) => bar.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(300)
    x, y = figure_to_page(page, *open_atlas().on("lateral").positions["GB8"][0])
    fingers(page, [[(x - 20 - 4 * i, y) for i in range(11)], [(x + 20 + 4 * i, y) for i in range(11)]])
    fingers(page, [[(x, y + 15 * i) for i in range(14)]])  # one finger drags the head down into view
    page.locator(f"{MAP} .mm-toolbar").evaluate("(bar) => bar.scrollIntoView({block: 'start'})")


ACTIONS: dict[str, Callable[[Page], None]] = {"screenshot-phone-zoomed": zoom_on_the_head}


HANDOUT = Selection(regions=("lower_back_left", "sacrum"))
HANDOUT_DAY = datetime.date(2026, 12, 1)  # a fixed date, so the picture changes only when the sheet does


def handout_page() -> None:
    """The take-home sheet for the lower back and sacrum, as the app's PNG download draws it."""
    link = share_link({"regions": "lower_back_left,sacrum"}, environ={PUBLIC_URL_ENV: "https://example.org"})
    path = ASSETS / "handout-page.png"
    path.write_bytes(handout_png(open_atlas().on("posterior"), HANDOUT, link, HANDOUT_DAY))
    print(f"wrote {path.relative_to(ROOT)}")


def main(names: list[str]) -> None:
    ASSETS.mkdir(exist_ok=True)
    if not names or "handout-page" in names:
        handout_page()
    with running_app() as url, chromium() as browser:
        for name, (query, (width, height)) in SHOTS.items():
            if names and name not in names:
                continue
            phone = {"is_mobile": True, "has_touch": True} if width < 500 else {}
            page = browser.new_page(viewport={"width": width, "height": height}, device_scale_factor=1, **phone)
            page.goto(url + "/" + query)
            wait_for_app(page)
            if name in ACTIONS:
                ACTIONS[name](page)
                wait_for_app(page)
            page.wait_for_timeout(500)
            path = ASSETS / f"{name}.png"
            page.screenshot(path=str(path), full_page=False)
            page.close()
            print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main(sys.argv[1:])
