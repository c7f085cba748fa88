// The Discover page's model banner: ask the server for a fresh check now when the page has none, then every
// data-refresh-seconds (the server only calls the models again when its latest check is that old).
(function () {
  "use strict";
  const banner = document.getElementById("llm-status");
  if (!banner) return;
  const url = banner.dataset.refreshUrl;
  const seconds = Math.max(30, Number(banner.dataset.refreshSeconds) || 300);

  async function refresh() {
    try {
      const answer = await fetch(url, { headers: { Accept: "text/html" }, credentials: "same-origin" });
      if (!answer.ok) return;
      banner.querySelector("[data-slot=body]").innerHTML = await answer.text();
      const failed = banner.querySelector('[data-ok="false"]') !== null;
      banner.classList.toggle("banner-warn", failed);
    } catch (error) {
      // The next round tries again; the banner keeps the last results it had.
    }
  }

  if (banner.dataset.stale === "true") refresh();
  setInterval(refresh, seconds * 1000);
})();
