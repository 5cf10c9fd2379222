// The body map's small companion: carries the highlight Python computed for this rerun (a few
// hundred bytes) to the map drawn on the page, so that a click never re-sends the whole drawing.
// Mounted first at the top of the page, it also starts the download of plotly.js early.
const registry = (window.meridianMap ??= { maps: {}, highlights: {}, plotly: null });

export default function mount({ data }) {
  if (data.preload) {
    if (!window.Plotly && !document.querySelector(`link[href="${data.preload}"]`)) {
      const link = document.createElement("link");
      link.rel = "preload";
      link.as = "script";
      link.href = data.preload;
      document.head.append(link);
    }
    return;
  }
  registry.highlights[data.target] = data.highlight;
  registry.maps[data.target]?.confirm(data.highlight);
}
