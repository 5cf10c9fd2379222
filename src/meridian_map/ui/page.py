"""The page: diagram on the left, explanation on the right. Thin: the domain does the work."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from functools import partial
from pathlib import Path

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from meridian_map.atlas import ResolvedAtlas, data_path, open_atlas
from meridian_map.content import ContentError
from meridian_map.explain import (
    LINK_LABELS,
    ChainMatch,
    Citation,
    RegionExplanation,
    explain_areas,
    point_cautions,
    safety_citations,
    served_regions,
    travelling_pain,
    warning_signs,
)
from meridian_map.figure import Selection
from meridian_map.handout import handout_pdf, handout_png
from meridian_map.links import ShareLink, share_link
from meridian_map.model import CHANNEL_IDS, OtherPoint, PainProfile, Point
from meridian_map.profile import matching_summary, reason
from meridian_map.search import search_points

from . import modes, state
from .body_map import body_map, last_click, preload, warm_drawing
from .serve import wait_until_warm
from .text import safe


@st.cache_resource(show_spinner=False, max_entries=4)
def _load(path: str, version: tuple[int, int]) -> ResolvedAtlas | ContentError:
    try:
        atlas = open_atlas(path)
    except ContentError as error:
        return error
    return atlas


def _loaded() -> ResolvedAtlas | ContentError:
    """The content, loaded again when its file changes (an edit shows without a restart). What is
    drawn from it (diagram, handout, quiz) is cached by the content's digest, not by the path."""
    path = data_path()
    try:
        stat = Path(path).stat()
        version = (stat.st_mtime_ns, stat.st_size)
    except OSError:
        version = (0, -1)
    return _load(str(path), version)


def warm() -> None:
    """Fill the caches a first visit needs (called beside the server as it starts)."""
    loaded = _loaded()
    if not isinstance(loaded, ContentError):
        warm_drawing(loaded, Selection())


# The tab's icon, inline: a Material icon name makes the browser fetch it from a font host, and an
# image is served as a media file that the page fetched again on every rerun.
ICON = (
    "data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 64 64'>"
    "<circle cx='32' cy='32' r='30' fill='%230072B2'/>"
    "<path d='M32 12v40M20 26h24M22 40h20' stroke='white' stroke-width='5' stroke-linecap='round'/></svg>"
)


# Streamlit draws captions in a faded grey (3.8:1 on the sidebar's background); WCAG AA asks 4.5:1
# for text this small. Static CSS; no content is ever rendered as HTML.
PAGE_CSS = """<style>
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p { color: #595857; opacity: 1; }
.st-key-explanation h2 { font-size: 1.6rem; padding-top: 0.25rem; }
/* Streamlit's default 6rem above and 10rem below: room the panel needs more (the header is 3.75rem). */
[data-testid="stMainBlockContainer"] { padding-top: 4rem; padding-bottom: 2rem; }
[data-testid="stMainBlockContainer"] h1 { padding-top: 0; }
.st-key-explanation [data-testid="stVerticalBlock"] { gap: 0.625rem; }
/* Streamlit stacks columns only under 640 px. From there to 832 px (a tablet upright, a desktop at
   175-200 % zoom) the diagram and the panel would each get under 400 px: stack them, as on a phone. */
@media (max-width: 52rem) {
  [data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"] .st-key-diagram) { flex-wrap: wrap; }
  [data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"] .st-key-diagram) > [data-testid="stColumn"] {
    min-width: 100%;
  }
}
</style>"""


def main() -> None:
    # The treatment room opens with the sidebar folded away: its tools are for the practitioner.
    folded = st.query_params.get("mode") == "patient"
    st.set_page_config(
        page_title="Meridian Map",
        page_icon=ICON,
        layout="wide",
        initial_sidebar_state="collapsed" if folded else "auto",
    )
    st.html(PAGE_CSS)
    preload()
    wait_until_warm()
    loaded = _loaded()
    st.title("Meridian Map")
    if isinstance(loaded, ContentError):
        _content_problems(loaded)
        return
    atlas = loaded
    state.sync_from_url(atlas)
    state.drop_stale(atlas)
    mode = st.session_state.get(state.MODE, "explore")
    if mode == "student":
        modes.prepare_quiz(atlas)  # the question decides the view the widgets show
    state.sync_widgets()
    st.markdown(
        "Click where it hurts to see which acupuncture channels run there, their key points, and why a practitioner "
        "would use them."
    )
    for notice in st.session_state.pop(state.NOTICES, []):
        st.info(safe(notice), icon=":material/info:")  # one at most: see state.UrlState.notice

    if mode != "patient":  # the patient sees no mode switch: the practitioner leaves from the sidebar
        st.segmented_control(
            "Mode",
            options=list(modes.MODES),
            format_func=modes.MODES.__getitem__,
            key=state.MODE_WIDGET,
            default=state.starting(state.MODE_WIDGET),
            on_change=state.on_mode_chosen,
            label_visibility="collapsed",
        )
    _sidebar(atlas)
    diagram, panel = st.columns([1, 1], gap="medium")
    with diagram, st.container(key="diagram"):
        _diagram(atlas)
    with panel, st.container(key="explanation"):
        _panel(atlas)
    state.catch_up()
    state.write_url()


def _content_problems(error: ContentError) -> None:
    st.error(
        "The content file has problems, so the map cannot be drawn. "
        "Fix these lines (file:line: field: problem) and reload:",
        icon=":material/error:",
    )
    st.code("\n".join(str(p) for p in error.problems), language=None)


def _sidebar(atlas: ResolvedAtlas) -> None:
    with st.sidebar:
        _search(atlas)
        mode = st.session_state.get(state.MODE, "explore")
        if mode == "explore":
            modes.tour(atlas)
        if mode == "student":
            modes.student_tools()
        if mode == "patient":
            state.button(
                st.button, "Leave the treatment room", key="leave_patient", on_click=state.leave_treatment_room
            )
        st.header("Channels")
        st.caption("Unbroken lines run on the surface; dashed lines are internal pathways.")
        for channel_id in CHANNEL_IDS:
            channel = atlas.channels[channel_id]
            code = "" if mode == "patient" else f"{channel.id} · "
            st.toggle(
                f"{code}{safe(channel.name)} ({channel.line} line, {_shape_word(channel.symbol)} points)",
                key=state.channel_widget(channel_id),
                value=bool(state.starting(state.channel_widget(channel_id))),
                on_change=state.on_channel_toggled,
            )
        focus_options = [None, *CHANNEL_IDS]
        st.selectbox(
            "Where does a channel work?",
            options=focus_options,
            index=focus_options.index(state.starting(state.FOCUS_WIDGET)),
            format_func=lambda c: "No channel chosen" if c is None else f"{c} · {atlas.channels[c].name}",
            key=state.FOCUS_WIDGET,
            on_change=state.on_focus_chosen,
            help="Tints every area this channel runs through or treats from a distance.",
            placeholder="No channel chosen",
        )
        st.divider()
        st.caption(safe(atlas.atlas.disclaimer))


def _search(atlas: ResolvedAtlas) -> None:
    query = st.text_input(
        "Find a point", key="search_query", placeholder="BL23, bl 23, UB23, shenshu, 肾俞, kidney shu"
    )
    for hit in search_points(atlas, query, limit=6):
        state.button(
            st.button,
            safe(hit.label),
            key=f"hit_{hit.code}",
            on_click=state.jump_to,
            args=(hit.code, hit.view),
            help=f"Show {safe(hit.code)} on the {VIEW_NAMES[hit.view].lower()} view",
            width="stretch",
        )
    if query.strip() and not search_points(atlas, query, limit=1):
        st.caption("No point by that name. Try a code (BL23), pinyin (shenshu), hanzi or English.")


def _shape_word(symbol: str) -> str:
    return {"triangle-up": "triangle"}.get(symbol, symbol)


VIEW_NAMES = {"posterior": "Back", "lateral": "Side (right)", "anterior": "Front", "medial": "Inner leg"}


def _diagram(atlas: ResolvedAtlas) -> None:
    labels = atlas.region_labels
    pick, clear = st.columns([5, 1], vertical_alignment="bottom")
    with pick:
        st.multiselect(
            "Where does it hurt? Click the body, or choose here",
            options=list(labels),
            format_func=labels.__getitem__,
            key=state.REGION_WIDGET,
            default=state.starting(state.REGION_WIDGET),
            on_change=state.on_regions_chosen,
            placeholder="Choose one or more areas",
            # Enter takes the first row: with a "Select 2 matches" row first, a full name that is also
            # found inside another ("Arm (left)") added both.
            select_all=False,
        )
    with clear:
        state.button(st.button, "Clear", on_click=state.clear, width="stretch")
    st.segmented_control(
        "View",
        options=list(VIEW_NAMES),
        format_func=VIEW_NAMES.__getitem__,
        key=state.VIEW_WIDGET,
        default=state.starting(state.VIEW_WIDGET),
        on_change=state.on_view_chosen,
        label_visibility="collapsed",
    )
    selection = state.current()
    shown = atlas.on(selection.view)
    on_click = partial(state.on_map_click, shown)
    body_map(shown, selection, (state.map_ack(), state.zoom_ack()), on_click=on_click, on_zoom=state.on_map_zoom)
    state.missed(last_click() is not None, on_click)
    state.missed(state.zoom_is_new(), state.on_map_zoom)


def _panel(atlas: ResolvedAtlas) -> None:
    selection = state.current()
    mode = st.session_state.get(state.MODE, "explore")
    if mode == "patient":
        modes.patient_panel(atlas, selection, handout=lambda: _handout(atlas, selection))
        return
    if mode == "student":
        modes.quiz_panel(atlas)
        modes.measuring_panel(atlas)
    if selection.focus:
        _channel_card(atlas, selection.focus)
    if selection.point:
        _point_card(atlas, atlas.points[selection.point])
    chosen = selection.regions or selection.point or selection.focus
    if not chosen:
        _welcome(atlas)
    explained = explain_areas(atlas, selection.regions)  # both sides of an area told once
    chains = travelling_pain(atlas, selection.regions)
    if len(explained) > 1:
        _shared(atlas, explained, chains)
    else:
        for match in chains:
            _chain(match)
    for item in explained:
        _region(atlas, item, compact=len(explained) > 1)
    if selection.regions:
        _handout(atlas, selection, with_link=mode == "explore")
    elif mode == "explore" and (chosen or selection.view != "posterior"):
        modes.share_link(selection)
    if selection.regions:
        if atlas.atlas.pain_profile is not None:
            _pain_profile(atlas, atlas.atlas.pain_profile)
        _safety(atlas)
    if chosen:  # the welcome shows them too: warning signs are always on screen
        _warning_signs(atlas, selection.regions)


def _pain_profile(atlas: ResolvedAtlas, profile: PainProfile) -> None:
    """Optional questions, and how traditional diagnosis would reason from the answers."""
    with st.expander("Describe the pain (optional): how would a practitioner reason?", key="pain_profile"):
        st.caption(safe(profile.caveat))
        answers: dict[str, list[str]] = {}
        for question in profile.questions:
            labels = {option.id: safe(option.label) for option in question.options}
            answers[question.id] = st.pills(
                safe(question.label),
                options=list(labels),
                format_func=labels.__getitem__,
                selection_mode="multi",
                key=f"profile_{question.id}",
            )
        matches = reason(profile, answers)
        if not any(answers.values()):
            return
        if not matches:
            st.markdown("These answers do not point to one of the textbook patterns.")
        for match in matches:
            pattern = match.pattern
            st.markdown(f"**{safe(pattern.name)}**: {safe(matching_summary(match))}")
            st.markdown(safe(pattern.plain))
            points = ", ".join(f"{safe(code)} {safe(atlas.points[code].pinyin)}" for code in pattern.points)
            st.caption(f"Channels often chosen: {', '.join(pattern.channels)}. Points often chosen: {points}.")


def _handout(atlas: ResolvedAtlas, selection: Selection, with_link: bool = False) -> None:
    """The take-home sheet, drawn from the body model; no personal data is asked for or kept. With the
    link to this view beside it when asked: both are ways to take the view home."""
    # From the app's own address (MERIDIAN_MAP_PUBLIC_URL, else this computer), never the request's.
    link = share_link(state.to_url(selection), port=st.get_option("server.port"),
                      base_path=st.get_option("server.baseUrlPath"))  # fmt: skip
    shown = atlas.on(selection.view)
    with st.container(border=True, key="handout"):
        st.markdown("**Take-home sheet** of this view, to print or send:")
        for column, (kind, mime) in zip(st.columns(2), (("png", "image/png"), ("pdf", "application/pdf")), strict=True):
            column.download_button(
                f"Download {kind.upper()}",
                # Drawn only when asked for, so a click on the diagram never waits for it.
                data=partial(_handout_bytes, shown, atlas.digest, selection, link, kind),
                file_name=f"meridian-map-notes.{kind}",
                mime=mime,
                key=f"handout_{kind}",
                on_click="ignore",
                width="stretch",
            )
        if with_link:
            modes.share_link(selection)


@st.cache_data(show_spinner=False, max_entries=32)
def _handout_bytes(_atlas: ResolvedAtlas, atlas_key: str, selection: Selection, link: ShareLink, kind: str) -> bytes:
    render = handout_png if kind == "png" else handout_pdf
    return render(_atlas, selection, link, datetime.date.today())


def _channel_card(atlas: ResolvedAtlas, channel_id: str) -> None:
    channel = atlas.channels[channel_id]
    with st.container(border=True, key="channel_card"):
        st.header(f"{channel.id} · {safe(channel.name)} · {safe(channel.hanzi)}")
        st.caption(f"{safe(channel.english)}, {safe(channel.pinyin)}")
        st.markdown(safe(channel.summary_plain))
        st.markdown("**In traditional theory:** " + safe(channel.summary_traditional))
        for link, labels in served_regions(atlas, channel_id).items():
            if labels:
                st.markdown(f"**{LINK_LABELS[link].capitalize()}:** " + safe(", ".join(labels)))


def _chain(match: ChainMatch) -> None:
    with st.container(border=True, key=f"chain_{match.chain.id}"):
        st.markdown(
            f"**Pain that travels: {safe(' → '.join(match.labels))}** follows the {safe(match.channel_name)} channel."
        )
        st.markdown(safe(match.chain.text))
        st.caption(_sources(match.citations))


def _welcome(atlas: ResolvedAtlas) -> None:
    st.header("Start with where it hurts")
    st.markdown(
        "Hover over the body to see the name of each area, then click it. You can choose more than "
        "one area, for pain that spreads. Click a coloured point to read about it."
    )
    for channel in atlas.atlas.channels:
        with st.container(border=True):
            st.markdown(f"**{channel.id} · {safe(channel.name)}** ({safe(channel.pinyin)}, {safe(channel.hanzi)})")
            st.markdown(safe(channel.summary_plain))
    _safety(atlas)
    _warning_signs(atlas, ())


def _safety(atlas: ResolvedAtlas) -> None:
    """The general safety section, said once: how common harm is and who should take care."""
    safety = atlas.atlas.safety
    if safety is None:
        return
    opened = _on_demand("Is acupuncture safe? Side effects, and who should take care", key="safety")
    if opened is None:
        return
    with opened:
        st.markdown(safe(safety.summary))
        st.markdown("\n".join(f"- **{safe(item.title)}:** {safe(item.text)}" for item in safety.items))
        st.caption(_sources(safety_citations(atlas)))


def _point_card(atlas: ResolvedAtlas, point: Point) -> None:
    channel = atlas.channels[point.channel]
    with st.container(border=True, key="point_card"):
        st.header(f"{safe(point.code)} · {safe(point.pinyin)} · {safe(point.hanzi)}")
        st.markdown(f"*{safe(point.english)}* on the {safe(channel.name)} channel")
        st.markdown(f"**Where:** {safe(point.location)}")
        modes.placement_caption(atlas.on(state.current().view), point.code)
        if not point.who_standard:
            st.caption("Not part of the WHO 2008 standard.")
        if point.note:
            st.caption(safe(point.note))
        for caution in point_cautions(atlas, point.code):
            st.warning(f"**{safe(caution.title)}.** {safe(caution.text)}", icon=":material/warning:")
            sources = "; ".join(atlas.references[ref].citation for ref in caution.refs)
            st.caption(f"Sources: {safe(sources)}")
        served = [atlas.region_labels[r] for r in atlas.regions_for_point(point.code)]
        if served:
            st.markdown("**Used for:** " + safe(", ".join(served)))
        state.button(st.button, "Close point", on_click=state.choose_point, args=(None,), key="close_point")


def _shared(atlas: ResolvedAtlas, explained: list[RegionExplanation], chains: list[ChainMatch]) -> None:
    """For several areas, what they have in common first: the lines and how each reaches them."""
    with st.container(border=True, key="shared"):
        st.header("What these areas share")
        links: dict[str, dict[str, list[str]]] = {}  # channel -> link label -> area labels
        for item in explained:
            for note in item.linked_channels:
                links.setdefault(note.id, {}).setdefault(note.link_label, []).append(item.label)
        lines = []
        for channel_id in CHANNEL_IDS:
            if channel_id not in links:
                continue
            channel = atlas.channels[channel_id]
            said = "; ".join(
                f"{label} ({'all of them' if len(areas) == len(explained) else ', '.join(areas)})"
                for label, areas in links[channel_id].items()
            )
            lines.append(f"- **{channel.id} {safe(channel.name)}**: {safe(said)}")
        st.markdown("\n".join(lines))  # one list, not one block per line
        for match in chains:
            _chain(match)


def _region(atlas: ResolvedAtlas, explained: RegionExplanation, compact: bool) -> None:
    """One area: what it is and its points; the layers open on demand when several areas are shown."""
    layers = explained.layers
    with st.container(border=True, key=f"region_{explained.region_id}"):
        st.header(safe(explained.label))
        sentences = re.split(r"(?<=[.!?])\s+", layers.plain.strip())
        lead, rest = (sentences[:1], sentences[1:]) if compact else (sentences, [])
        st.markdown(safe(" ".join(lead)))
        lists = [
            f"**{heading}:** " + ", ".join(f"{safe(p.code)} {safe(p.pinyin)} ({safe(p.hanzi)})" for p in points)
            for heading, points in (
                ("Key points here", explained.key_points),
                ("Used from elsewhere", explained.points_elsewhere),
            )
            if points
        ]
        if lists:
            st.markdown("  \n".join(lists))
        more = (
            _on_demand("More: channels, traditional view, anatomy, evidence", key=f"more_{explained.region_id}")
            if compact
            else st.container()
        )
        if more is None:
            return
        with more:
            if rest:
                st.markdown(safe(" ".join(rest)))
            st.markdown(
                "**Channels here**\n"
                + "\n".join(
                    f"- **{n.id} {safe(n.name)}**: {safe(n.link_label)}. {safe(n.note)}" for n in explained.channels
                )
            )
            if explained.other_points:
                st.markdown("**Other points named here** (beyond the four channels shown; not drawn):")
                st.markdown("\n".join(_other_point(point) for point in explained.other_points))
            traditional, anatomy, asks, evidence = st.tabs(["Traditional view", "Anatomy", "Questions", "Evidence"])
            traditional.markdown(safe(layers.traditional))
            anatomy.markdown(safe(layers.anatomy))
            asks.markdown("\n".join(f"- {safe(q)}" for q in layers.asks))
            evidence.markdown(safe(layers.evidence.summary))
            evidence.caption(_sources(explained.citations))


def _on_demand(label: str, key: str) -> DeltaGenerator | None:
    """An expander whose contents are drawn only while it is open (opening it reruns the page): the
    container to draw them in, or None when it is closed. So a click on the diagram does not build
    every closed section. Only for text: Streamlit drops the answers of a widget that is not drawn."""
    section = st.expander(label, key=key, on_change="rerun")
    return section if section.open else None


def _sources(citations: Iterable[Citation]) -> str:
    """Numbered sources, a line each, for one caption (an element per source was a message each, per click)."""
    return "  \n".join(f"[{c.number}] {safe(c.text)}" + (f" {safe(c.url)}" if c.url else "") for c in citations)


def _other_point(point: OtherPoint) -> str:
    note = f" {safe(point.note)}" if point.note else ""
    if "pregnancy" in point.cautions:
        note += " **Traditionally avoided in pregnancy.**"
    names = f"{safe(point.code)} {safe(point.pinyin)}** ({safe(point.hanzi)}, {safe(point.english)})"
    return f"- **{names}, {safe(point.kind)}: {safe(point.location)}{note} **Standard:** {safe(point.standard)}"


URGENT_SHOWN = 4  # the most urgent signs always in view; the rest one click away


def _warning_signs(atlas: ResolvedAtlas, region_ids: tuple[str, ...]) -> None:
    """Every warning sign once, at the end: the chosen areas' own and back pain's in general, most urgent first."""
    signs = warning_signs(atlas, region_ids)
    first, others = signs[:URGENT_SHOWN], signs[URGENT_SHOWN:]
    st.error(
        "**See a doctor instead of, or before, acupuncture:**\n" + "\n".join(f"- {safe(sign)}" for sign in first),
        icon=":material/emergency:",
    )
    if others:  # the rest of the list, each sign still said once
        with st.expander(f"All {len(signs)} warning signs for these areas", key="all_warning_signs"):
            st.markdown("\n".join(f"- {safe(sign)}" for sign in others))
    st.caption(safe(atlas.atlas.disclaimer))
