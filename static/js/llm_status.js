// The Discover page's model banner: reload the latest stored check every data-refresh-seconds (reading it
// calls no model; celery beat checks the models every SKYVERN_LLM_CHECK_SECONDS).
(function () {
  "use strict";
  const banner = document.getElementById("llm-status");
  if (!banner) return;
  const url = banner.dataset.refreshUrl;
  const seconds = Math.max(30, Number(banner.dataset.refreshSeconds) || 60);

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

  setInterval(refresh, seconds * 1000);
})();
