"""Refresh the README's screenshots from the running app: `make screenshots`."""

from __future__ import annotations

import sys

from meridian_map.testing import ROOT, chromium, running_app, wait_for_app

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
    "screenshot-patient": ("?mode=patient&regions=lower_back_left,sacrum", (1400, 1000)),
    "screenshot-student": ("?mode=student&seed=12&labels=code&landmarks=1&regions=lower_back_left", (1400, 1000)),
    # Each mode at phone width; tall enough to show the diagram and the start of the panel below it.
    "screenshot-phone": ("?regions=neck_right", (390, 2000)),
    "screenshot-phone-patient": ("?mode=patient&regions=lower_back_left", (390, 2000)),
    "screenshot-phone-student": ("?mode=student&seed=12&labels=code&regions=lower_back_left", (390, 2000)),
}


def main(names: list[str]) -> None:
    ASSETS.mkdir(exist_ok=True)
    with running_app() as url, chromium() as browser:
        for name, (query, (width, height)) in SHOTS.items():
            if names and name not in names:
                continue
            page = browser.new_page(viewport={"width": width, "height": height}, device_scale_factor=1)
            page.goto(url + "/" + query)
            wait_for_app(page)
            page.wait_for_timeout(500)
            path = ASSETS / f"{name}.png"
            page.screenshot(path=str(path), full_page=False)
            page.close()
            print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main(sys.argv[1:])
