"""A proportional model of the body seen from behind.

Coordinates are centimetres of a standing adult, y up from the floor, x from
the posterior midline. In a back view the patient's LEFT is on the viewer's
left, so the patient's left side has negative x. The model describes the
patient's right side (x >= 0) and mirrors it.

Landmarks (vertebral levels, scapula, iliac crest, folds, malleoli) are the
only place where numbers about the body live. Point positions are computed
from them with the standard proportional B-cun measurements, so a body with
other proportions moves every point with it.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from .curves import catmull_rom as _catmull_rom
from .model import (
    CODE_PATTERN,
    VERTEBRAL_LEVELS,
    BetweenPlacement,
    LandmarkPlacement,
    Placement,
    Point,
    Scale,
    SpinalPlacement,
    ViewId,
)

XY = tuple[float, float]

# Standard body, right side. Vertebral levels sit at the inferior border of the
# spinous process; sacral levels at the posterior sacral foramina.
_CERVICAL = {"C1": 155.0, **{f"C{n}": 153.4 - (n - 2) * 1.68 for n in range(2, 8)}}
_THORACIC = {f"T{n}": 145.0 - n * 2.25 for n in range(1, 13)}
_LUMBAR = {f"L{n}": 118.0 - n * 3.4 for n in range(1, 6)}
_SACRAL = {"S1": 98.0, "S2": 95.7, "S3": 93.4, "S4": 91.2}
STANDARD_LEVELS: dict[str, float] = {**_CERVICAL, **_THORACIC, **_LUMBAR, **_SACRAL}

STANDARD_LANDMARKS: dict[str, XY] = {
    "vertex": (0.0, 170.0),
    "external_occipital_protuberance": (0.0, 157.8),
    "posterior_hairline": (0.0, 153.0),
    "occipital_base": (0.0, 156.4),  # the lower edge of the occiput, just above GV16 and GB20: the top of the neck
    "neck_base": (0.0, 143.3),  # between the C7 and T1 spinous processes: the neck ends, the upper back begins
    "mastoid_process": (5.2, 155.5),
    "acromion": (18.5, 142.5),
    "scapular_superior_angle": (8.2, STANDARD_LEVELS["T2"]),
    "scapular_spine_root": (7.5, STANDARD_LEVELS["T3"]),
    "scapula_inferior_angle": (9.0, STANDARD_LEVELS["T7"]),
    "glenoid": (15.2, 137.8),
    "axilla": (16.2, STANDARD_LEVELS["T7"]),
    "arm_gap": (19.5, 87.5),
    "tip_of_12th_rib": (13.8, 112.0),
    "kidney": (5.5, 112.0),  # the organ, deep: where internal pathways end
    "iliac_crest": (13.0, STANDARD_LEVELS["L4"]),
    "psis": (4.5, STANDARD_LEVELS["S2"]),
    "sacral_hiatus": (0.0, 89.8),
    "coccyx_tip": (0.0, 86.0),
    "greater_trochanter": (17.4, 87.5),
    "gluteal_fold": (8.5, 77.5),
    "popliteal_crease": (8.0, 46.0),
    "popliteal_upper": (8.0, 50.5),  # 2 B-cun above the crease: top of the back-of-knee band
    "popliteal_lower": (8.0, 41.2),  # 2 B-cun below the crease
    "ankle_top": (6.8, 11.1),  # about 1.5 B-cun above the lateral malleolus: where the ankle gives way to the leg
    "popliteal_crease_lateral": (11.6, 46.0),
    "popliteal_crease_medial": (4.4, 46.0),
    "fibula_head": (12.0, 43.2),
    "tibia_medial_condyle": (4.0, 42.5),
    "lateral_malleolus": (8.9, 7.5),
    "medial_malleolus": (4.5, 8.6),
    "calcaneal_tendon": (6.6, 8.0),
    "heel": (6.6, 0.8),
}

# The silhouette's right half, from the vertex clockwise to the crotch. A smooth
# closed spline through these (and their mirror) is the body's outline.
_OUTLINE_RIGHT: tuple[XY, ...] = (
    (0, 170), (4.6, 168.6), (7.2, 164.5), (8.0, 159.5), (7.4, 155.2), (5.9, 152.2),
    (5.6, 149.5), (6.6, 147.6), (9.5, 146.3), (13.5, 144.9), (17.2, 143.6), (19.8, 141.2),
    (21.0, 137.5), (21.4, 132), (21.9, 124), (22.9, 114), (23.9, 106), (24.9, 97),
    (25.9, 88), (26.3, 84.5),
    # the hand, palm forward: the thumb on the outer side, then four fingers, the index first
    (27.5, 82.0), (28.7, 78.8), (29.3, 75.9), (29.0, 74.4), (28.3, 74.7), (27.8, 76.2), (27.45, 73.6),
    (27.35, 70.0), (27.15, 67.3), (26.75, 66.3), (26.25, 66.9), (26.05, 68.0), (25.75, 66.3), (25.35, 65.4),
    (24.9, 66.0), (24.7, 67.6), (24.4, 66.7), (24.0, 66.0), (23.55, 66.6), (23.35, 68.4), (23.05, 67.7),
    (22.7, 66.95), (22.3, 67.6), (22.1, 70.0), (22.15, 74), (22.0, 80), (21.2, 90), (20.0, 100),
    (19.0, 108), (18.0, 116), (17.0, 123), (16.2, 129.25), (15.4, 124), (14.6, 117),
    (14.0, 110), (14.3, 105), (15.6, 99), (16.9, 93), (17.6, 87.5), (17.4, 82),
    (16.6, 74), (15.4, 64), (13.9, 55), (12.6, 48), (12.2, 44), (12.6, 38),
    (12.8, 32), (12.0, 25), (10.4, 18), (9.4, 12), (9.4, 8), (9.6, 5.0),
    (10.4, 2.4), (10.7, 0.9), (10.2, 0.05), (8.6, 0), (5.0, 0),  # the forefoot shows beside the heel
    (4.2, 1.0), (4.0, 4), (4.4, 8.6), (4.0, 13), (3.3, 22),
    (2.9, 32), (3.3, 40), (3.6, 46), (3.1, 54), (2.4, 64), (1.6, 72), (0.8, 77),
    (0, 78.6),
)  # fmt: skip

# Faint anatomy that helps the eye, by name: each is one or more polylines (a closed one repeats its
# first point). Mirrored views draw them on both sides; the sacrum, on the midline, is drawn whole.
Hints = dict[str, tuple[tuple[XY, ...], ...]]
_HINTS_RIGHT: Hints = {
    "scapulae": (
        ((8.2, 140.5), (7.5, 138.25), (7.9, 133.5), (9.0, 129.25), (12.2, 133.0), (15.2, 137.8), (15.8, 140.6),
         (18.5, 142.5)),  # the scapula's borders
        ((7.5, 138.25), (11.5, 139.6), (15.5, 141.2), (18.5, 142.5)),  # its spine
    ),
    "iliac_crests": (((4.6, 97.6), (6.8, 101.8), (9.8, 104.0), (12.8, 104.3), (14.5, 102.9)),),
    "natal_cleft": (((0.0, 86.4), (0.0, 83.0), (0.0, 79.6)),),
    "gluteal_folds": (((1.0, 78.9), (4.8, 77.6), (8.5, 77.2), (12.2, 77.6), (15.2, 78.8)),),
    "popliteal_creases": (((4.4, 46.3), (8.0, 45.8), (11.6, 46.3)),),
    "calcaneal_tendons": (((6.1, 20.0), (6.2, 12.0), (6.0, 4.5)), ((7.2, 20.0), (7.1, 12.0), (7.3, 4.5))),
    "heels": (((4.5, 3.6), (4.9, 1.4), (6.6, 0.35), (8.4, 1.4), (9.1, 3.6)),),  # in front of the forefoot
    "fingers": (((26.05, 68.0), (26.1, 72.4)), ((24.7, 67.6), (24.7, 72.6)), ((23.35, 68.4), (23.4, 72.4))),
    "thumbs": (((27.8, 76.2), (27.4, 78.4), (27.0, 80.2)),),  # where the thumb leaves the palm
}  # fmt: skip
_SACRUM: tuple[XY, ...] = ((-4.7, 100.3), (4.7, 100.3), (2.3, 90.2), (0.0, 86.0), (-2.3, 90.2))

# The right side seen from the right: x forward (anterior) from the coronal plane
# through the ear and the greater trochanter. The arm is left out so that the
# side of the trunk shows. Heights match the back view.
LATERAL_LANDMARKS: dict[str, XY] = {
    "vertex": (0.5, 170.0),
    "anterior_hairline": (8.0, 166.5),
    "posterior_hairline": (-7.2, 153.0),
    "external_occipital_protuberance": (-9.3, 157.8),
    "temple": (6.6, 163.0),  # the corner of the frontal hairline at the temple
    "eyebrow_lateral_end": (8.6, 162.2),
    "lateral_canthus": (8.9, 160.4),
    "ear_apex": (0.4, 162.0),
    "tragus": (2.3, 158.0),
    "ear_lobe": (0.9, 154.6),
    "mastoid_process": (-2.2, 154.8),
    "zygomatic_arch": (5.2, 158.4),  # its upper border in front of the ear
    "mandible_angle": (3.2, 150.5),
    "C7": (-6.8, 145.0),  # the spinous process, on the back edge
    "acromion": (0.5, 142.5),
    "axilla": (1.0, 136.0),  # the apex of the armpit (the arm is left out)
    "ics4_mid_axillary": (0.8, 132.1),  # the 4th intercostal space: level with the nipple, as on the front view
    "nipple": (10.9, 132.1),
    "ics7_mamillary": (10.2, 123.8),  # the 7th intercostal space below the nipple, as on the front view
    "tip_of_11th_rib": (4.0, 114.5),
    "tip_of_12th_rib": (-2.5, 112.0),
    "umbilicus": (12.6, 106.0),
    "iliac_crest": (-1.0, STANDARD_LEVELS["L4"]),
    "asis": (8.8, 99.5),
    "greater_trochanter": (-1.0, 87.5),
    "gluteal_fold": (-9.6, 77.5),
    "popliteal_upper": (-6.4, 50.5),
    "lateral_epicondyle": (0.0, 48.5),
    "popliteal_crease": (-5.8, 46.0),
    "patella": (6.6, 47.0),
    "fibula_head": (-1.4, 43.0),
    "popliteal_lower": (-6.5, 41.2),
    "ankle_top": (-1.0, 11.1),
    "inguinal_fold": (6.0, 92.5),  # where the belly meets the front of the thigh
    "lateral_malleolus": (-0.6, 7.5),
    "calcaneal_tendon": (-4.6, 8.0),
    "heel": (-6.0, 1.0),
    "fifth_metatarsal_base": (6.4, 2.6),
    "fifth_metatarsal_head": (15.2, 2.0),
    "fourth_toe_tip": (21.4, 1.6),
    "little_toe_tip": (19.8, 1.0),
}

_LATERAL_OUTLINE: tuple[XY, ...] = (
    (0.5, 170), (4.5, 169.2), (7.5, 167), (9.5, 164), (10.2, 161.6), (9.8, 160.0), (11.2, 157.5),
    (10.2, 155.8), (10.6, 153.8), (10.0, 151.5), (9.4, 149.4), (6.5, 148.6), (5.0, 147.0), (6.0, 143.5),
    (9.5, 139), (11.0, 133), (11.9, 127.5), (11.3, 121), (10.9, 114), (12.1, 108), (12.8, 103),
    (11.6, 96), (10.2, 90), (9.3, 82), (8.5, 70), (7.4, 58), (7.6, 50), (6.5, 44), (5.5, 40), (5.3, 30),
    (4.7, 20), (4.3, 12), (6.0, 8.2), (11.0, 5.8), (16.0, 3.9), (20.5, 2.9), (22.3, 1.5), (21.2, 0.0),
    (8.0, 0.0), (-4.0, 0.0), (-6.3, 0.8), (-6.4, 3.5), (-5.1, 8.0), (-4.9, 14), (-6.9, 24), (-7.7, 32),
    (-7.1, 40), (-6.2, 46), (-6.9, 52), (-8.6, 62), (-9.7, 72), (-10.2, 77.5), (-11.3, 84), (-11.1, 92),
    (-8.6, 99), (-7.3, 106), (-7.9, 114), (-9.6, 124), (-10.1, 132), (-9.1, 140), (-7.1, 145.5),
    (-5.9, 149), (-6.9, 152.5), (-9.0, 155.5), (-9.6, 158), (-9.1, 162), (-7.6, 166), (-4.0, 169.2),
)  # fmt: skip

_LATERAL_HINTS: Hints = {
    "ear": (((0.4, 162.0), (2.0, 161.6), (2.6, 159.0), (2.2, 156.0), (0.9, 154.6), (-0.2, 156.5), (-0.4, 159.5),
             (0.4, 162.0)),),
    "eye": (((7.7, 160.75), (8.4, 160.95), (8.95, 160.45), (8.4, 160.2), (7.7, 160.75)),),
    "eyebrow": (((8.0, 162.0), (8.9, 162.45), (9.7, 162.3)),),
    "hairline": (
        ((8.0, 166.5), (7.1, 164.8), (6.6, 163.0), (5.5, 161.4), (4.4, 160.2)),  # the forehead, temple and sideburn
        ((-0.9, 159.4), (-2.6, 157.6), (-4.6, 155.2), (-7.2, 153.0)),  # behind the ear, down to the nape
    ),
    "jaw": (((1.6, 154.3), (2.5, 152.0), (3.2, 150.5), (5.6, 149.8), (8.4, 149.7)),),
    "shoulder": (((-6.2, 138.6), (-4.8, 142.2), (-1.5, 143.7), (2.5, 143.4), (5.6, 141.4), (6.9, 138.6)),),
    "lower_rib_margin": (((9.5, 116.0), (4.0, 114.5), (-2.5, 112.0)),),
    "iliac_crest": (((-6.8, 101.5), (-3.0, 104.0), (2.0, 104.6), (6.5, 102.6), (8.8, 99.5)),),
    "greater_trochanter": (((-2.6, 87.5), (-1.0, 89.0), (0.6, 87.5), (-1.0, 86.0), (-2.6, 87.5)),),
    "knee": (
        ((4.6, 50.5), (6.5, 49.3), (6.7, 46.3), (5.6, 43.8)),  # the patella
        ((-6.1, 46.0), (-5.0, 46.2), (-4.0, 46.0)),  # the popliteal crease, its outer end
    ),
    "fibula_head": (((-2.8, 43.0), (-1.4, 44.2), (0.0, 43.0), (-1.4, 41.8), (-2.8, 43.0)),),
    "lateral_malleolus": (((-2.0, 7.5), (-0.6, 8.9), (0.8, 7.5), (-0.6, 6.1), (-2.0, 7.5)),),
    "foot": (((-5.0, 1.7), (1.0, 2.0), (8.0, 1.9), (14.5, 1.5), (18.6, 1.1)),),  # the outer border of the sole
    "toes": (((17.6, 3.2), (18.0, 2.2), (18.1, 1.2)), ((20.0, 2.4), (20.4, 1.1))),
}  # fmt: skip


# The front, seen from in front: the patient's RIGHT is on the viewer's left. The
# table describes the patient's left (x >= 0) and is mirrored; heights match the
# back view. The silhouette is the back view's, which is symmetric front to back.
ANTERIOR_LANDMARKS: dict[str, XY] = {
    "vertex": (0.0, 170.0),
    "anterior_hairline": (0.0, 166.5),
    # The corner of the hairline at the temple (ST8), 4.5 B-cun out: near the forehead's edge, so that a
    # B-cun across the forehead is about as long as one up it, and BL3 (above the eyebrow's inner end)
    # lies between GV24 and BL4 (1.5 B-cun out) as WHO 2008 places it.
    "frontal_angle": (6.4, 165.2),
    "eyebrow_medial_end": (1.5, 161.9),
    "eyebrow_middle": (3.1, 162.4),  # above the pupil
    "inner_canthus": (1.5, 160.4),
    "pupil": (3.1, 160.3),
    "lateral_canthus": (4.6, 160.4),
    "glabella": (0.0, 161.9),
    "nose_tip": (0.0, 157.0),
    "philtrum": (0.0, 155.2),
    "upper_lip": (0.0, 154.4),
    "chin": (0.0, 150.4),
    "jugular_notch": (0.0, 143.5),
    "clavicle_middle": (8.0, 143.2),
    "acromion": (18.5, 142.5),
    "ics1": (0.0, 141.0),  # intercostal spaces, at the sternum
    "ics2": (0.0, 138.1),
    "ics3": (0.0, 135.1),
    "ics4": (0.0, 132.1),
    "ics5": (0.0, 129.1),
    "nipple": (8.5, 132.1),
    "ics7_mamillary": (8.5, 123.8),  # the 7th intercostal space on the nipple line (ribs slope down outwards)
    "clavicle_lower_border": (0.0, 142.8),  # its height beside the sternum
    "xiphoid": (0.0, 125.5),  # the xiphisternal junction
    "costal_margin_low": (0.0, 122.5),  # the height of the rib margin on the nipple line, below GB24
    "axilla": (16.2, STANDARD_LEVELS["T7"]),
    "arm_gap": (19.5, 87.5),
    "umbilicus": (0.0, 106.0),
    "asis": (12.6, 99.5),
    "pubic_symphysis": (0.0, 88.5),  # its upper border
    "popliteal_upper": (8.0, 50.5),
    "patella": (8.0, 47.5),
    "popliteal_crease": (8.0, 46.0),  # the level of the knee crease behind
    "popliteal_crease_medial": (4.0, 46.0),
    "tibia_medial_condyle": (4.0, 42.5),
    "popliteal_lower": (8.0, 41.2),
    "ankle_top": (6.8, 11.1),
    "lateral_malleolus": (9.2, 7.5),
    "medial_malleolus": (4.6, 8.6),
    "navicular_tuberosity": (4.4, 3.4),
    "foot_top": (6.6, 5.0),  # where the ankle gives way to the foot, below the malleoli
    "sole_top": (6.6, 1.2),  # the underside of the foot shows as its lowest strip
    "sole": (6.6, 0.4),
}

_ANTERIOR_HINTS: Hints = {
    "hairline": (((0.0, 166.5), (2.8, 166.4), (5.0, 166.0), (6.4, 165.2), (6.9, 163.0)),),
    "eyebrows": (((1.5, 161.9), (3.1, 162.4), (4.9, 162.0)),),
    "eyes": (((1.5, 160.4), (2.3, 160.75), (3.1, 160.85), (3.9, 160.7), (4.6, 160.4), (3.9, 160.08), (3.1, 159.98),
              (2.3, 160.08), (1.5, 160.4)),),
    "nose": (((0.55, 159.8), (0.75, 158.0), (1.2, 157.1), (0.7, 156.55), (0.25, 156.7)),),
    "mouth": (((0.0, 154.4), (0.5, 154.6), (1.2, 154.3), (2.1, 153.85)), ((0.0, 153.65), (1.1, 153.72), (2.1, 153.85))),
    "clavicles": (((0.6, 143.9), (4.0, 143.4), (8.0, 143.6), (12.0, 144.0), (16.5, 143.4)),),
    "nipples": (((7.2, 132.1), (8.5, 132.8), (9.8, 132.1), (8.5, 131.4), (7.2, 132.1)),),
    "costal_margin": (((0.0, 125.5), (4.5, 123.0), (9.0, 118.5), (12.5, 113.5)),),
    "inguinal_folds": (((12.6, 99.5), (9.0, 94.5), (4.5, 90.5), (1.2, 88.8)),),
    "knees": (((6.4, 49.6), (8.0, 50.6), (9.6, 49.0), (9.4, 46.2), (8.0, 45.2), (6.6, 46.2), (6.4, 49.6)),),
    "fingers": (((26.05, 68.0), (26.1, 72.4)), ((24.7, 67.6), (24.7, 72.6)), ((23.35, 68.4), (23.4, 72.4))),
    "thumbs": (((27.8, 76.2), (27.4, 78.4), (27.0, 80.2)),),
    "toes": tuple(((x, 0.25), (x + 0.05, 1.5)) for x in (5.9, 7.1, 8.2, 9.2)),
}  # fmt: skip
_NAVEL: tuple[XY, ...] = ((-0.6, 106.0), (0.0, 106.6), (0.6, 106.0), (0.0, 105.4), (-0.6, 106.0))


# The inner side of the right leg, seen from the patient's left with the left leg
# out of the way: the front is on the viewer's LEFT. Written with x forward
# (anterior) from the same coronal plane as the side view, then turned to the
# viewer. The pelvis is cut level with the top of the pubic symphysis, so that
# the Kidney channel can be followed from the sole (KI1) to the groin (KI11).
_MEDIAL_FORWARD_LANDMARKS: dict[str, XY] = {
    "pubic_symphysis": (9.8, 88.5),  # its upper border, on the skin of the front
    "gluteal_fold": (-9.6, 77.5),
    "crotch": (0.0, 78.6),
    "popliteal_upper": (-6.4, 50.5),
    "patella": (6.6, 47.0),
    "popliteal_crease": (-6.0, 46.0),
    "popliteal_crease_medial": (-4.8, 46.0),  # beside the semitendinosus tendon
    "tibia_medial_condyle": (1.5, 42.5),
    "popliteal_lower": (-6.5, 41.2),
    "ankle_top": (0.0, 11.1),  # about 1 B-cun above the medial malleolus: where the ankle gives way to the leg
    "foot_line": (0.0, 4.0),  # below the malleolus: the inner ankle above, the arch of the foot below
    "medial_malleolus": (0.6, 8.6),
    "calcaneal_tendon": (-4.4, 8.0),
    "navicular_tuberosity": (5.2, 3.4),
    "heel": (-6.0, 1.0),
    "heel_sole": (-5.0, 0.25),  # the back of the sole
    "toe_web_sole": (18.5, 0.25),  # under the web between the 2nd and 3rd toes
}
_MEDIAL_FORWARD_OUTLINE: tuple[XY, ...] = (
    (10.7, 92), (10.2, 90), (9.3, 82), (8.5, 70), (7.4, 58), (7.6, 50), (6.5, 44), (5.5, 40), (5.3, 30),
    (4.7, 20), (4.3, 12), (6.0, 8.2), (11.0, 5.8), (16.0, 3.9), (20.8, 3.0), (22.8, 1.6), (21.8, 0.0),
    (16.0, 0.0), (11.0, 0.4), (6.0, 0.9), (0.0, 0.5), (-4.0, 0.0), (-6.3, 0.8), (-6.4, 3.5), (-5.1, 8.0),
    (-4.9, 14), (-6.9, 24), (-7.7, 32), (-7.1, 40), (-6.2, 46), (-6.9, 52), (-8.6, 62), (-9.7, 72),
    (-10.2, 77.5), (-11.3, 84), (-11.1, 92),
)  # fmt: skip
_MEDIAL_FORWARD_HINTS: Hints = {
    "knee": (
        ((4.6, 50.5), (6.5, 49.3), (6.7, 46.3), (5.6, 43.8)),  # the patella
        ((-6.0, 46.0), (-4.0, 45.8), (-2.5, 46.3)),  # the popliteal crease, its inner end
    ),
    "tibia_border": (((3.6, 40.0), (2.2, 30.0), (1.2, 20.0), (1.0, 12.0)),),  # the medial border of the tibia
    "calcaneal_tendon": (((-3.6, 20.0), (-3.5, 12.0), (-3.8, 4.5)),),
    "medial_malleolus": (((-0.8, 8.6), (0.6, 10.0), (2.0, 8.6), (0.6, 7.2), (-0.8, 8.6)),),
    "heel": (((-3.0, 3.6), (-4.7, 2.3), (-4.5, 0.9), (-3.0, 0.45)),),  # the heel pad
    "arch": (((-2.6, 1.3), (1.5, 2.2), (5.2, 2.5), (10.0, 2.0), (15.0, 1.3)),),  # where the sole turns up
    "big_toe": (((17.4, 3.5), (18.0, 2.2), (18.4, 0.6)),),
}  # fmt: skip


def _toward_viewer(xy: XY) -> XY:
    """A medial-view point written with x forward, as the viewer sees it (front to the left)."""
    return (-xy[0], xy[1])


MEDIAL_LANDMARKS = {name: _toward_viewer(xy) for name, xy in _MEDIAL_FORWARD_LANDMARKS.items()}
_MEDIAL_OUTLINE = tuple(_toward_viewer(xy) for xy in reversed(_MEDIAL_FORWARD_OUTLINE))  # still clockwise
_MEDIAL_HINTS: Hints = {
    name: tuple(tuple(_toward_viewer(xy) for xy in line) for line in lines)
    for name, lines in _MEDIAL_FORWARD_HINTS.items()
}


# How many B-cun each standard bone measurement spans (WHO 2008 general guidelines).
SCALE_SPANS: dict[Scale, tuple[str, str, float]] = {
    Scale.back: ("midline", "scapular_spine_root", 3.0),  # medial scapular borders: 6
    Scale.head: ("midline", "mastoid_process", 4.5),  # mastoid processes: 9
    Scale.scalp: ("posterior_hairline", "vertex", 7.0),
    Scale.neck: ("C7", "posterior_hairline", 3.0),
    Scale.thigh: ("popliteal_crease", "gluteal_fold", 14.0),
    Scale.thigh_lateral: ("popliteal_crease", "greater_trochanter", 19.0),
    Scale.leg: ("lateral_malleolus", "popliteal_crease", 16.0),
    Scale.leg_medial: ("medial_malleolus", "tibia_medial_condyle", 13.0),
}
# The side view shares the vertical measurements; across the head it spans hairline to hairline: 12.
LATERAL_SCALE_SPANS: dict[Scale, tuple[str, str, float]] = {
    scale: SCALE_SPANS[scale] for scale in (Scale.scalp, Scale.neck, Scale.thigh, Scale.thigh_lateral, Scale.leg)
} | {Scale.head: ("posterior_hairline", "anterior_hairline", 12.0)}
ANTERIOR_SCALE_SPANS: dict[Scale, tuple[str, str, float]] = {
    Scale.head: ("midline", "frontal_angle", 4.5),  # between the frontal angles: 9
    Scale.scalp: ("anterior_hairline", "vertex", 5.0),  # anterior hairline to GV20: 5
    Scale.forehead: ("glabella", "anterior_hairline", 3.0),
    Scale.chest: ("midline", "nipple", 4.0),  # between the nipples: 8
    Scale.upper_abdomen: ("umbilicus", "xiphoid", 8.0),
    Scale.lower_abdomen: ("pubic_symphysis", "umbilicus", 5.0),
    Scale.thigh: ("popliteal_crease", "pubic_symphysis", 18.0),  # pubic symphysis to the knee: 18
    Scale.leg: ("lateral_malleolus", "popliteal_crease", 16.0),
    Scale.leg_medial: ("medial_malleolus", "tibia_medial_condyle", 13.0),
}
MEDIAL_SCALE_SPANS: dict[Scale, tuple[str, str, float]] = {
    Scale.thigh: ("popliteal_crease", "pubic_symphysis", 18.0),
    Scale.leg_medial: ("medial_malleolus", "tibia_medial_condyle", 13.0),
}
_HORIZONTAL_SCALES = {Scale.back, Scale.head, Scale.chest}
# Scales that measure only along the head and trunk on the back and front views: a
# sideways offset must be measured across (`across:`), with a bone the standard
# measures that way. On the limbs one B-cun serves both ways.
_LENGTHWISE_ONLY = {Scale.scalp, Scale.neck, Scale.forehead, Scale.upper_abdomen, Scale.lower_abdomen}


@dataclass(frozen=True)
class ViewTable:
    """The standard body as one view shows it."""

    landmarks: dict[str, XY]
    outline: tuple[XY, ...]  # closed; for a mirrored view, the right half from vertex to crotch
    hints: Hints  # name -> polylines
    spans: dict[Scale, tuple[str, str, float]]
    mirrored: bool  # the back and front views show both sides; the side view only the right
    horizontal_offset: str  # "outward" (lateral/medial) or "forward" (anterior/posterior)
    right_side_sign: int = 1  # +1 when the patient's right is on the viewer's right (back view)
    forward_sign: int = 1  # +1 when the front is on the viewer's right (side view), -1 on the medial view
    # Scales this view does not show the bones of, measured on the view that does (same body).
    borrowed: dict[Scale, ViewId] = field(default_factory=dict)
    # Scales that measure across (True) or along (False) the body on this view; others serve both ways.
    transverse: frozenset[Scale] = frozenset()
    lengthwise: frozenset[Scale] = frozenset()


# Heights that proportions may move; everything between is stretched linearly.
_ANCHORS = ("floor", "lateral_malleolus", "popliteal_crease", "gluteal_fold", "C7", "vertex")


VIEW_TABLES: dict[str, ViewTable] = {
    "posterior": ViewTable(
        STANDARD_LANDMARKS, _OUTLINE_RIGHT, _HINTS_RIGHT, SCALE_SPANS, True, "outward",
        transverse=frozenset({Scale.back, Scale.head}), lengthwise=frozenset({Scale.scalp, Scale.neck}),
    ),
    "lateral": ViewTable(
        LATERAL_LANDMARKS, _LATERAL_OUTLINE, _LATERAL_HINTS, LATERAL_SCALE_SPANS, False, "forward",
        borrowed={Scale.chest: "anterior"},
    ),
    "anterior": ViewTable(
        ANTERIOR_LANDMARKS, _OUTLINE_RIGHT, _ANTERIOR_HINTS, ANTERIOR_SCALE_SPANS, True, "outward", -1,
        transverse=frozenset({Scale.head, Scale.chest}),
        lengthwise=frozenset({Scale.scalp, Scale.forehead, Scale.upper_abdomen, Scale.lower_abdomen}),
    ),
    "medial": ViewTable(
        MEDIAL_LANDMARKS, _MEDIAL_OUTLINE, _MEDIAL_HINTS, MEDIAL_SCALE_SPANS, False, "forward", forward_sign=-1,
        borrowed={Scale.leg: "lateral"},
    ),
}  # fmt: skip


class PlacementError(ValueError):
    """A placement names something the body model does not have."""


@dataclass(frozen=True)
class Proportions:
    """Key heights in cm above the floor and a width factor; the rest follows."""

    lateral_malleolus: float = 7.5
    popliteal_crease: float = 46.0
    gluteal_fold: float = 77.5
    c7: float = 145.0
    vertex: float = 170.0
    width: float = 1.0


@dataclass(frozen=True)
class BodyModel:
    proportions: Proportions = field(default_factory=Proportions)
    view: ViewId = "posterior"

    @property
    def table(self) -> ViewTable:
        return VIEW_TABLES[self.view]

    # -- warping the standard body to these proportions -------------------------------
    @cached_property
    def _anchor_pairs(self) -> list[tuple[float, float]]:
        p = self.proportions
        standard = (0.0, 7.5, 46.0, 77.5, 145.0, 170.0)
        actual = (0.0, p.lateral_malleolus, p.popliteal_crease, p.gluteal_fold, p.c7, p.vertex)
        return list(zip(standard, actual, strict=True))

    def _warp_y(self, y: float) -> float:
        pairs = self._anchor_pairs
        for (s0, a0), (s1, a1) in itertools.pairwise(pairs):
            if y <= s1 or (s1, a1) == pairs[-1]:
                return a0 + (y - s0) * (a1 - a0) / (s1 - s0)
        raise AssertionError("unreachable")

    def _warp(self, xy: XY) -> XY:
        return (xy[0] * self.proportions.width, self._warp_y(xy[1]))

    # -- landmarks ------------------------------------------------------------------------
    @cached_property
    def levels(self) -> dict[str, float]:
        return {name: self._warp_y(y) for name, y in STANDARD_LEVELS.items()}

    @cached_property
    def landmarks(self) -> dict[str, XY]:
        return {name: self._warp(xy) for name, xy in self.table.landmarks.items()}

    def level_y(self, level: str, border: str = "inferior") -> float:
        y = self.levels[level]
        if border == "superior":
            # The superior border sits most of the way up to the level above.
            index = VERTEBRAL_LEVELS.index(level)
            above = self.levels[VERTEBRAL_LEVELS[index - 1]] if index else y + 2.0
            y += 0.6 * (above - y)
        return y

    def anchor(self, name: str, points: Mapping[str, XY] | None = None) -> XY:
        """A landmark, a vertebral level as its point on the midline, or a point placed on this view."""
        if points is not None and CODE_PATTERN.match(name):
            return points[name]
        if name in self.landmarks:
            return self.landmarks[name]
        if name in self.levels:
            return (0.0, self.levels[name])
        if name == "midline":
            return (0.0, 0.0)
        raise PlacementError(f"unknown landmark {name!r}")

    def span(self, scale: Scale) -> tuple[str, str, float]:
        """The bone measurement behind a scale: from, to, and how many B-cun it spans."""
        if scale in self.table.borrowed:
            return BodyModel(self.proportions, self.table.borrowed[scale]).span(scale)
        if scale not in self.table.spans:
            raise PlacementError(f"the {scale.value} scale is not used on the {self.view} view")
        return self.table.spans[scale]

    def cun(self, scale: Scale) -> float:
        """Centimetres per B-cun on one scale (on the front view's scalp, along the skull's curve)."""
        if scale in self.table.borrowed:
            return BodyModel(self.proportions, self.table.borrowed[scale]).cun(scale)
        if self.view == "anterior" and scale is Scale.scalp:
            return _arc_length(self._front_scalp_profile) / self.span(scale)[2]
        start, end, span = self.span(scale)
        (x0, y0), (x1, y1) = self.anchor(start), self.anchor(end)
        return abs(x1 - x0 if scale in _HORIZONTAL_SCALES else y1 - y0) / span

    # -- the scalp seen from in front -------------------------------------------------------
    @cached_property
    def _front_scalp_profile(self) -> list[XY]:
        """The head's midline from the anterior hairline over to the vertex, as the side view draws
        it (same proportions): x forward, y up."""
        side = BodyModel(self.proportions, "lateral")
        hairline, vertex = side.landmarks["anterior_hairline"], side.landmarks["vertex"]
        ring = side.outline  # clockwise from the vertex, so forward and down over the forehead
        start = min(range(len(ring)), key=lambda i: math.dist(ring[i], vertex))
        end = min(range(len(ring)), key=lambda i: math.dist(ring[i], hairline))
        return [hairline, *reversed(ring[start + 1 : end]), vertex]

    def front_scalp_height(self, y: float, rise: float) -> float:
        """The height, on the front view, of a point `rise` B-cun back over the scalp from the
        anterior hairline (at height `y`).

        The standard measures these B-cun along the skull (anterior hairline to GV20: 5), and the
        scalp curves away from a viewer in front: just above the hairline it climbs steeply, towards
        the vertex it runs nearly level. So the points are walked along the head's midline profile
        and drawn at the height they reach, not spaced evenly up the picture (`_front_scalp_fall`
        then lowers a point off the midline)."""
        if not 0 <= rise <= self.span(Scale.scalp)[2]:
            raise PlacementError(
                f"on the {self.view} view the scalp shows from the anterior hairline to the vertex: "
                f"0 to {self.span(Scale.scalp)[2]:g} B-cun 'above', not {rise:g}"
            )
        profile = self._front_scalp_profile
        left = rise * self.cun(Scale.scalp)
        for a, b in itertools.pairwise(profile):
            step = math.dist(a, b)
            if left <= step:
                return y + (a[1] + (b[1] - a[1]) * (left / step if step else 0.0)) - profile[0][1]
            left -= step
        return y + profile[-1][1] - profile[0][1]

    def _front_scalp_fall(self, x: float, y: float) -> float:
        """How much lower than the midline a scalp point `x` cm to the side shows from in front.

        Over the vertex the skull falls away sideways as the front view's outline does; at the
        hairline the forehead faces the viewer and hides no fall. In between the fall is taken in
        proportion to the height climbed (the head as a smooth dome, not a measured skull)."""
        hairline, vertex = self.landmarks["anterior_hairline"][1], self.landmarks["vertex"][1]
        tops = [top for top in self.edges_at_x(x) if top > hairline]
        if not tops or x == 0:
            return 0.0
        return (vertex - max(tops)) * (y - hairline) / (vertex - hairline)

    # -- outline ----------------------------------------------------------------------------
    @cached_property
    def outline(self) -> list[XY]:
        """The closed silhouette (first point not repeated), clockwise from the vertex."""
        right = [self._warp(p) for p in self.table.outline]
        if not self.table.mirrored:
            return _catmull_rom(right, samples=6, closed=True)
        left = [(-x, y) for x, y in reversed(right[1:-1])]
        return _catmull_rom(right + left, samples=6, closed=True)

    @cached_property
    def bounds(self) -> tuple[float, float, float, float]:
        xs = [x for x, _ in self.outline]
        ys = [y for _, y in self.outline]
        return min(xs), max(xs), min(ys), max(ys)

    def contains(self, xy: XY) -> bool:
        return point_in_polygon(xy, self.outline)

    def distance_to_outline(self, xy: XY) -> float:
        ring = self.outline
        return min(segment_distance(xy, a, b) for a, b in zip(ring, ring[1:] + ring[:1], strict=False))

    def edges_at(self, y: float) -> list[float]:
        """The x where a horizontal line at height y crosses the outline, sorted."""
        return _crossings(self.outline, y, across=1)

    def edges_at_x(self, x: float) -> list[float]:
        """The y where a vertical line at x crosses the outline, sorted."""
        return _crossings(self.outline, x, across=0)

    @cached_property
    def hint_lines(self) -> dict[str, list[list[XY]]]:
        """Faint anatomy lines by name (a mirrored view has both sides under one name), for drawing."""
        named: dict[str, list[list[XY]]] = {}
        for name, polylines in self.table.hints.items():
            lines = named.setdefault(name, [])
            for hint in polylines:
                smooth = _catmull_rom([self._warp(p) for p in hint], samples=6, closed=False)
                on_midline = all(x == 0 for x, _ in hint)
                lines += [smooth, [(-x, y) for x, y in smooth]] if self.table.mirrored and not on_midline else [smooth]
        if self.view == "posterior":
            named["sacrum"] = [_catmull_rom([self._warp(p) for p in (*_SACRUM, _SACRUM[0])], 2, closed=False)]
        if self.view == "anterior":
            named["umbilicus"] = [_catmull_rom([self._warp(p) for p in _NAVEL], 2, closed=False)]
        return named

    @cached_property
    def hints(self) -> list[list[XY]]:
        """Every faint anatomy line (both sides), for drawing."""
        return [line for lines in self.hint_lines.values() for line in lines]

    def spinous_processes(self) -> list[tuple[str, float]]:
        """Levels from C7 to L5 that a back view shows as spinous processes."""
        if self.view != "posterior":
            return []
        start, stop = VERTEBRAL_LEVELS.index("C7"), VERTEBRAL_LEVELS.index("L5")
        return [(lv, self.levels[lv]) for lv in VERTEBRAL_LEVELS[start : stop + 1]]

    @property
    def region_unit(self) -> float:
        """Centimetres per unit of a number in a region corner: back B-cun (2.5 cm on the standard body)."""
        return 2.5 * self.proportions.width

    # -- the line between trunk and arm, used by region shapes ------------------------------
    def arm_line_x(self, y: float) -> float:
        if "arm_gap" not in self.landmarks:
            raise PlacementError(f"there is no arm line on the {self.view} view")
        (x0, y0), (x1, y1) = self.landmarks["axilla"], self.landmarks["arm_gap"]
        return x0 + (y - y0) * (x1 - x0) / (y1 - y0)

    # -- placing points ---------------------------------------------------------------------
    def place(self, placement: Placement, points: Mapping[str, XY] | None = None) -> XY:
        """The position of a placement on the side the view's table describes.

        `points` holds points already placed on this view (same side), for
        placements measured from another point ("1 B-cun below KI3")."""
        if isinstance(placement, SpinalPlacement):
            y = self.level_y(placement.level, placement.border)
            return (placement.from_midline * self.cun(placement.scale), y)
        if isinstance(placement, BetweenPlacement):
            (ax, ay), (bx, by) = (self.anchor(n, points) for n in placement.between)
            f = placement.fraction
            return (ax + f * (bx - ax), ay + f * (by - ay))
        return self._place_from_landmark(placement, points)

    def _check_scales(self, placement: LandmarkPlacement) -> None:
        table, scale = self.table, placement.scale
        sideways_scale = placement.across or scale
        if placement.rise and scale in table.transverse:
            raise PlacementError(
                f"the {scale.value} scale measures across the body on the {self.view} view; "
                "measure 'above'/'below' with a lengthwise scale"
            )
        sideways = placement.outward or placement.forward or placement.inset
        if sideways and sideways_scale in table.lengthwise | _LENGTHWISE_ONLY:
            raise PlacementError(
                f"the {sideways_scale.value} scale measures along the body; give 'across' the scale "
                "for the sideways offset (e.g. chest or head)"
            )

    def _place_from_landmark(self, placement: LandmarkPlacement, points: Mapping[str, XY] | None) -> XY:
        x, y = self._place_on_view(placement, points)
        if self.view == "anterior" and placement.scale is Scale.scalp and placement.rise:
            y -= self._front_scalp_fall(x, y)
        return (x, y)

    def _place_on_view(self, placement: LandmarkPlacement, points: Mapping[str, XY] | None) -> XY:
        x, y = self.anchor(placement.landmark, points)
        if placement.in_line_with is not None:
            x = self.anchor(placement.in_line_with, points)[0]
        if placement.scale is None:
            return (x, y)
        self._check_scales(placement)
        if self.view == "anterior" and placement.scale is Scale.scalp and placement.rise:
            y = self.front_scalp_height(y, placement.rise)
        else:
            y += placement.rise * self.cun(placement.scale)
        unit = self.cun(placement.across or placement.scale)
        forward_view = self.table.horizontal_offset == "forward"
        wrong = placement.outward if forward_view else placement.forward
        wrong_edge = placement.edge in (("lateral", "medial") if forward_view else ("anterior", "posterior"))
        if wrong or wrong_edge:
            allowed = "anterior/posterior" if forward_view else "lateral/medial"
            raise PlacementError(f"on the {self.view} view, offsets and edges are {allowed}")
        shift = placement.forward * self.table.forward_sign if forward_view else placement.outward
        if placement.edge is None:
            # Outward is away from the midline; a landmark on the midline moves right.
            return (x + shift * unit, y)
        limb = _interval_around(self.edges_at(y), x)
        if limb is None:
            raise PlacementError(f"no body at the height of {placement.landmark!r} moved by the offset")
        low, high = limb
        inset = placement.inset * unit
        # On the back view the right side's lateral edge is the larger x; on the side view, the front
        # (on the medial view the front is the smaller x).
        high_edges = ("lateral", "anterior") if self.table.forward_sign > 0 else ("lateral", "posterior")
        return (high - inset, y) if placement.edge in high_edges else (low + inset, y)

    def positions(self, point: Point, points: Mapping[str, XY] | None = None) -> list[XY]:
        """Where a point shows on this view: on the back view the patient's left first, then right.

        `points`: points already placed on this view, on the table's side (see `place`)."""
        placement = point.views.get(self.view)
        if placement is None:
            return []
        x, y = self.place(placement, points)
        if point.side == "midline" or not self.table.mirrored:
            return [(round(x, 3), round(y, 3))]
        # The table describes one side; the patient's left comes first.
        left, right = (-x, x) if self.table.right_side_sign > 0 else (x, -x)
        return [(round(left, 3), round(y, 3)), (round(right, 3), round(y, 3))]


# -- plane geometry helpers ---------------------------------------------------------------
def point_in_polygon(xy: XY, polygon: Sequence[XY]) -> bool:
    """Even-odd ray casting."""
    x, y = xy
    inside = False
    for (x0, y0), (x1, y1) in zip(polygon, [*polygon[1:], polygon[0]], strict=True):
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            inside = not inside
    return inside


def _crossings(ring: Sequence[XY], value: float, across: int) -> list[float]:
    """Where the line {coordinate `across` = value} crosses a closed ring: the other coordinate, sorted."""
    along = 1 - across
    found = []
    for a, b in zip(ring, [*ring[1:], ring[0]], strict=True):
        if (a[across] <= value < b[across]) or (b[across] <= value < a[across]):
            found.append(a[along] + (value - a[across]) * (b[along] - a[along]) / (b[across] - a[across]))
    return sorted(found)


def _arc_length(line: Sequence[XY]) -> float:
    return sum(math.dist(a, b) for a, b in itertools.pairwise(line))


def polygon_area(polygon: Sequence[XY]) -> float:
    """Signed area: negative for a clockwise ring."""
    return 0.5 * sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(polygon, [*polygon[1:], polygon[0]], strict=True))


def segment_distance(p: XY, a: XY, b: XY) -> float:
    (px, py), (ax, ay), (bx, by) = p, a, b
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length2))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def _interval_around(edges: list[float], x: float) -> tuple[float, float] | None:
    """The inside interval [a, b] of a scanline that holds x (or lies nearest to it)."""
    intervals = list(zip(edges[0::2], edges[1::2], strict=False))
    if not intervals:
        return None
    return min(intervals, key=lambda ab: 0.0 if ab[0] <= x <= ab[1] else min(abs(ab[0] - x), abs(ab[1] - x)))
