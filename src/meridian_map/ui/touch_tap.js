// A tap on the diagram should pick the area under the finger, as a click does.
// Plotly picks the point for a selection from its last hover, and a touch screen
// never hovers, so a tap selected nothing (plotly.js reports only a click for it,
// and Streamlit ignores clicks on scatter points). Before Plotly handles the touch,
// hover at the touch position, exactly as a mouse moving there would.
(() => {
  if (window.meridianMapTouchTap) return; // the listener is global: install it once per page
  window.meridianMapTouchTap = true;
  document.addEventListener(
    "touchstart",
    (event) => {
      const target = event.target;
      if (!(target instanceof Element) || !target.classList.contains("nsewdrag")) return;
      if (!target.closest(".stPlotlyChart") || event.touches.length !== 1) return;
      const touch = event.touches[0];
      target.dispatchEvent(
        new MouseEvent("mousemove", { clientX: touch.clientX, clientY: touch.clientY, bubbles: true }),
      );
    },
    { capture: true, passive: true },
  );
})();
