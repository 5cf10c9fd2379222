"""Refresh the README's screenshots from the running app: `make screenshots`."""

from __future__ import annotations

import sys
from collections.abc import Callable

from playwright.sync_api import Page

from meridian_map import open_atlas
from meridian_map.testing import MAP, ROOT, chromium, figure_to_page, fingers, running_app, wait_for_app

ASSETS = ROOT / "assets"
SHOTS = {
    # name: (query string, viewport)
    "screenshot-start": ("", (1400, 1000)),
    "screenshot-lower-back": ("?regions=lower_back_left,sacrum&point=BL23", (1400, 1000)),
    "screenshot-side-view": (
        "?view=lateral&regions=side_of_thigh_right,side_of_lower_leg_right&channel=GB",
        (1400, 1000),
    ),
    "screenshot-front-view": ("?view=anterior&regions=inner_leg_left,sole_left&channel=KI", (1400, 1000)),
    "screenshot-inner-leg": ("?view=medial&regions=inner_leg_right&point=KI3", (1400, 1500)),
    "screenshot-patient": ("?mode=patient&regions=lower_back_left,sacrum", (1400, 1000)),
    "screenshot-student": ("?mode=student&seed=12&labels=code&landmarks=1&regions=lower_back_left", (1400, 1000)),
    # Each mode at phone width, one screen high: the diagram fits it, the panel follows below.
    "screenshot-phone": ("?regions=neck_right", (390, 844)),
    "screenshot-phone-patient": ("?mode=patient&regions=lower_back_left", (390, 844)),
    "screenshot-phone-student": ("?mode=student&seed=12&labels=code&regions=lower_back_left", (390, 844)),
    "screenshot-phone-zoomed": ("?view=lateral&channels=GB", (390, 844)),
    "screenshot-phone-inner-leg": ("?view=medial&regions=inner_leg_right", (390, 844)),
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


def main(names: list[str]) -> None:
    ASSETS.mkdir(exist_ok=True)
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
