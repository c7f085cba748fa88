// Where a coordinate action (openai-cua, anthropic-cua, ui-tars) landed: each .click-mark carries the point
// in the screenshot's own pixels (data-x, data-y) and sits beside the <img> it belongs to; this places it
// over the image at the size and crop the image is shown at. Server-rendered marks are placed on load,
// live ones by run_live.js through window.ClickMarks.place.
(function () {
  "use strict";

  function place(mark) {
    const img = mark.parentElement && mark.parentElement.querySelector("img");
    if (!img) return;
    if (!img.complete || !img.naturalWidth) {
      img.addEventListener("load", () => place(mark), { once: true });
      return;
    }
    const x = Number(mark.dataset.x);
    const y = Number(mark.dataset.y);
    const box = { width: img.clientWidth, height: img.clientHeight };
    const natural = { width: img.naturalWidth, height: img.naturalHeight };
    const style = getComputedStyle(img);
    let scaleX = box.width / natural.width;
    let scaleY = box.height / natural.height;
    if (style.objectFit === "cover" || style.objectFit === "contain") {
      const pick = style.objectFit === "cover" ? Math.max : Math.min;
      scaleX = scaleY = pick(scaleX, scaleY);
    }
    // object-position is computed as two lengths or percentages, e.g. "50% 0%".
    const [px, py] = style.objectPosition.split(" ").map((part) => (part.endsWith("%") ? parseFloat(part) / 100 : 0.5));
    const left = (box.width - natural.width * scaleX) * px + x * scaleX;
    const top = (box.height - natural.height * scaleY) * py + y * scaleY;
    mark.style.left = img.offsetLeft + left + "px";
    mark.style.top = img.offsetTop + top + "px";
    mark.hidden = left < 0 || top < 0 || left > box.width || top > box.height;
  }

  function placeAll(root) {
    (root || document).querySelectorAll(".click-mark").forEach(place);
  }

  window.ClickMarks = { place: placeAll };
  placeAll(document);
})();
