// Builds the element tree of one frame's document for agent/dom.
// Called as `frame.evaluate(source, args)`; returns plain JSON. Rects are in this frame's viewport.
// Python stitches frames together, renders the prompt and keeps the id counter across frames.
(args) => {
  const ATTR = args.attr;
  const FRAME_ATTR = args.frameAttr;
  const LISTEN_ATTR = args.listenAttr;
  const MAX_TEXT = args.maxText;
  const MAX_LABEL = args.maxLabel;
  const MAX_OPTIONS = args.maxOptions;
  const VW = window.innerWidth;
  const VH = window.innerHeight;

  const SKIP = new Set(["SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE", "HEAD", "META", "LINK", "TITLE", "BASE"]);
  const ROLES = new Set([
    "button", "link", "checkbox", "radio", "combobox", "listbox", "option", "tab", "menuitem",
    "menuitemcheckbox", "menuitemradio", "switch", "textbox", "searchbox", "slider", "spinbutton", "treeitem",
  ]);
  const INLINE = new Set(["inline", "inline-block", "inline-flex", "inline-grid", "contents", "ruby"]);
  const INPUT_ROLES = {
    checkbox: "checkbox", radio: "radio", range: "slider", search: "searchbox", number: "spinbutton",
    button: "button", submit: "button", reset: "button", image: "button", file: "button",
  };

  const nodes = [];
  const frames = [];
  const used = new Set();
  const fresh = [];
  let maxSeen = -1;

  // 1. What sits on top at a point, descending into open shadow roots (elementFromPoint retargets to hosts).
  const deepHit = (x, y) => {
    let hit = document.elementFromPoint(x, y);
    while (hit && hit.shadowRoot) {
      const inner = hit.shadowRoot.elementFromPoint(x, y);
      if (!inner || inner === hit) break;
      hit = inner;
    }
    return hit;
  };
  const within = (el, node) => {
    for (let n = node; n; n = n.parentNode || n.host) if (n === el) return true;
    return false;
  };
  const outermostFixed = (node) => {
    let found = null;
    for (let n = node; n && n.nodeType === 1; n = n.parentElement || (n.getRootNode() && n.getRootNode().host)) {
      if (n === document.body || n === document.documentElement) break;
      if (getComputedStyle(n).position === "fixed") found = n;
    }
    return found;
  };

  // 2. When fixed layers cover all four corners (a modal backdrop) or a showModal() dialog is open, what
  // lies outside those layers cannot be reached even by scrolling. A fixed app shell covers the corners
  // too, but holds the content, so what is inside a covering layer stays.
  const modalDialog = (() => {
    try { return document.querySelector("dialog:modal"); } catch (e) { return null; }
  })();
  const corners = [[4, 4], [VW - 5, 4], [4, VH - 5], [VW - 5, VH - 5]];
  const covers = corners.map(([x, y]) => deepHit(x, y)).map((hit) => hit && outermostFixed(hit));
  const blocked = !!modalDialog || (VW > 10 && VH > 10 && covers.every(Boolean));
  const coverSet = new Set(blocked ? covers : []);

  const intersect = (a, b) => {
    const l = Math.max(a.l, b.l), t = Math.max(a.t, b.t), r = Math.min(a.r, b.r), btm = Math.min(a.b, b.b);
    return r - l >= 1 && btm - t >= 1 ? { l, t, r, b: btm } : null;
  };
  const box = (r) => ({ l: r.left, t: r.top, r: r.right, b: r.bottom });
  const rectOf = (b) => [b.l, b.t, b.r - b.l, b.b - b.t];
  const VIEW = { l: 0, t: 0, r: VW, b: VH };

  // 3. Visible means: some sample point inside the on-screen part hits the element (or its label).
  const reachable = (el, vis) => {
    const onScreen = intersect(vis, VIEW);
    if (!onScreen) return true; // cannot hit-test off screen; clipping and blocking were checked already
    const w = onScreen.r - onScreen.l, h = onScreen.b - onScreen.t;
    const points = [[0.5, 0.5], [0.25, 0.25], [0.75, 0.25], [0.25, 0.75], [0.75, 0.75]];
    for (const [fx, fy] of points) {
      const hit = deepHit(onScreen.l + w * fx, onScreen.t + h * fy);
      if (!hit) continue;
      if (within(el, hit)) return true;
      if (labelsOf(el).some((l) => within(l, hit))) return true;
    }
    return false;
  };

  const clean = (s) => (s || "").replace(/\s+/g, " ").trim();
  const cut = (s, n) => (s.length > n ? s.slice(0, n - 1) + "…" : s);
  const textOf = (el) => clean(el ? el.textContent : "");

  const labelledBy = (el) => {
    const ids = (el.getAttribute("aria-labelledby") || "").split(/\s+/).filter(Boolean);
    const root = el.getRootNode();
    return clean(ids.map((id) => textOf(root.getElementById ? root.getElementById(id) : null)).join(" "));
  };
  // Text of a <label> without the text of the control it wraps (a wrapped <select> would add every option).
  const labelText = (label, control) => {
    let out = "";
    const walk = (n) => {
      if (n === control) return;
      if (n.nodeType === 3) out += n.data;
      else if (n.nodeType === 1 && !["SELECT", "TEXTAREA", "SCRIPT", "STYLE"].includes(n.tagName)) n.childNodes.forEach(walk);
    };
    walk(label);
    return clean(out);
  };
  // el.labels scans the document on each call (quadratic on big forms), so index labels once per root.
  const labelsFor = new Map();
  const indexLabels = (root) => {
    for (const label of root.querySelectorAll("label")) {
      const ctl = label.control;
      if (!ctl) continue;
      if (!labelsFor.has(ctl)) labelsFor.set(ctl, []);
      labelsFor.get(ctl).push(label);
    }
  };
  const labelsOf = (el) => labelsFor.get(el) || [];

  const labelOf = (el) => {
    const byId = el.hasAttribute("aria-labelledby") ? labelledBy(el) : "";
    if (byId) return byId;
    const aria = clean(el.getAttribute("aria-label"));
    if (aria) return aria;
    if (labelsOf(el).length) {
      const text = clean(labelsOf(el).map((l) => labelText(l, el)).join(" "));
      if (text) return text;
    }
    return clean(el.getAttribute("title") || el.getAttribute("alt") || "");
  };

  const roleOf = (el, tag) => {
    const explicit = (el.getAttribute("role") || "").split(/\s+/)[0];
    if (explicit) return explicit;
    if (tag === "INPUT") return INPUT_ROLES[(el.type || "text").toLowerCase()] || "textbox";
    return { A: "link", BUTTON: "button", SELECT: el.multiple || el.size > 1 ? "listbox" : "combobox",
      TEXTAREA: "textbox", SUMMARY: "button", OPTION: "option" }[tag] || "";
  };

  const controlHidden = (ctl) => {
    const s = getComputedStyle(ctl);
    const r = ctl.getBoundingClientRect();
    if (s.display === "none" || s.visibility !== "visible" || parseFloat(s.opacity) === 0) return true;
    if (r.width < 2 || r.height < 2) return true;
    return !reachable(ctl, box(r));
  };

  // `ui-icon-play`, `icon-save`, `fa-trash`, `bi-gear`: the picture's name after the icon set's prefix.
  const ICON_CLASS = /^(?:[a-z]+-)?icons?-([a-z0-9][\w-]*)$|^(?:fa[srlbdk]?|bi|mdi|glyphicon|ti|ri|oi|ion|la[srb]?|octicon)-([a-z][\w-]*)$/i;
  const ICON_MODIFIER = /^(?:fw|xs|sm|lg|\d+x|spin|pulse|solid|regular|light|thin|duotone|brands|border|inverse|stack(?:-\dx)?|pull-\w+|rotate-\d+|flip-\w+)$/;
  const iconClass = (el) => {
    const cls = el.getAttribute("class");
    if (!cls) return "";
    for (const token of cls.split(/\s+/)) {
      const m = ICON_CLASS.exec(token);
      const name = m && (m[1] || m[2]);
      if (name && !ICON_MODIFIER.test(name)) return name;
    }
    return "";
  };

  const LISTS = new Set(["UL", "OL", "DL", "MENU", "TABLE", "TBODY"]);
  const interactive = (el, tag, s, ctx) => {
    if (tag === "LABEL") {
      const ctl = el.control;
      return !!ctl && ctl.type !== "hidden" && controlHidden(ctl);
    }
    if (tag === "INPUT") return el.type !== "hidden";
    if (tag === "BUTTON" || tag === "SELECT" || tag === "TEXTAREA" || tag === "SUMMARY") return true;
    if (tag === "A" && el.hasAttribute("href")) return true;
    const role = el.getAttribute("role");
    if (role && ROLES.has(role.split(/\s+/)[0])) return true;
    if (el.isContentEditable && !(el.parentElement && el.parentElement.isContentEditable)) return true;
    if (el.hasAttribute("onclick") || typeof el.onclick === "function") return true;
    // A nested item of its owner's own kind with a handler of its own (a tree node in a tree node) is a control.
    if (ctx.owner && ctx.owner.el.tagName === tag && LISTEN_ATTR && el.hasAttribute(LISTEN_ATTR)) return true;
    // Inside a listed element only its own controls count, except where only the pointer cursor made it a
    // control: a bar styled as one ("Reply Forward") whose parts listen for the clicks is those parts.
    if (ctx.owner) return ctx.owner.byCursor && !!LISTEN_ATTR && el.hasAttribute(LISTEN_ATTR);
    // A pointer listener bound in script (agent/dom/listeners.py marks them), or a small focusable widget.
    if (LISTEN_ATTR && el.hasAttribute(LISTEN_ATTR)) return true;
    // A focusable list (jQuery UI's menu is a <ul tabindex=0>) is not a widget: its items are listed instead.
    if (el.tabIndex >= 0 && el.hasAttribute("tabindex") && el.childElementCount <= 3 && !LISTS.has(tag)) return true;
    // Only where the pointer cursor starts: children inheriting it belong to the clickable parent.
    return s.cursor === "pointer" && !ctx.pointer ? BY_CURSOR : false;
  };
  const BY_CURSOR = "cursor";

  const shortUrl = (u) => {
    if (!u) return u;
    if (u.startsWith("data:")) { const m = /[;,]/.exec(u); return u.slice(0, m ? m.index : 20) + ",…"; }
    return u.length > 80 ? u.slice(0, 60) + "…" + u.slice(-15) : u;
  };

  const attrsOf = (el, tag, role) => {
    const a = {};
    const put = (k, v) => { if (v !== null && v !== undefined && v !== "" && v !== false) a[k] = v; };
    const ctl = tag === "LABEL" ? el.control : el;
    if (ctl.tagName === "INPUT") {
      const type = (ctl.type || "text").toLowerCase();
      put("type", type);
      if (type === "checkbox" || type === "radio") put("checked", ctl.checked);
      else if (type === "password") put("value", ctl.value ? "••••" : "");
      else if (type === "file") put("value", Array.from(ctl.files || []).map((f) => f.name).join(", "));
      else if (type !== "image") put("value", cut(ctl.value, 200));
      put("accept", ctl.getAttribute("accept"));
      put("min", ctl.getAttribute("min"));
      put("max", ctl.getAttribute("max"));
      put("multiple", ctl.multiple);
    } else if (ctl.tagName === "TEXTAREA") put("value", cut(ctl.value, 200));
    else if (ctl.tagName === "SELECT") put("multiple", ctl.multiple);
    if (el.isContentEditable && tag !== "INPUT" && tag !== "TEXTAREA") put("contenteditable", true);
    put("name", ctl.getAttribute("name"));
    put("placeholder", clean(ctl.getAttribute("placeholder")));
    if (tag === "A") put("href", shortUrl(el.getAttribute("href")));
    put("disabled", ctl.disabled || el.getAttribute("aria-disabled") === "true");
    put("readonly", ctl.readOnly && ctl.tagName !== "SELECT");
    put("required", ctl.required || el.getAttribute("aria-required") === "true");
    for (const k of ["aria-checked", "aria-selected", "aria-expanded", "aria-pressed", "aria-valuenow"]) {
      const v = el.getAttribute(k);
      if (v !== null) put(k.slice(5), v);
    }
    if (tag === "OPTION") put("selected", el.selected);
    return a;
  };

  const optionsOf = (sel) => Array.from(sel.options).slice(0, MAX_OPTIONS).map((o) => ({
    label: cut(clean(o.label || o.textContent), MAX_LABEL), value: o.value, selected: o.selected, disabled: o.disabled,
  }));

  // 4. The walk. ctx: clip (on-screen box of the nearest clipping ancestor), clipScroll (that ancestor
  // scrolls, so clipped content is reachable), owner (element record collecting text), block (text
  // record key), pointer (parent cursor), overlay (inside a dialog or high fixed layer), heading level.
  const pushText = (ctx, raw) => {
    const last = nodes[nodes.length - 1];
    if (last && last.k === "t" && last.block === ctx.block) { last.raw += raw; return; }
    nodes.push({ k: "t", block: ctx.block, raw, h: ctx.heading, rect: ctx.rect, inView: ctx.inView,
      overlay: ctx.overlay });
  };

  const visitText = (node, ctx) => {
    if (!ctx.shown) return;
    if (ctx.owner) { ctx.owner.raw += node.data; return; }
    if (!node.data.trim()) { const last = nodes[nodes.length - 1]; if (last && last.k === "t") last.raw += " "; return; }
    if (ctx.covered === undefined) ctx.covered = ctx.inView && !reachable(ctx.el, ctx.vis);
    if (!ctx.covered) pushText(ctx, node.data);
  };

  // A list item holding a list of its own is a tree node or a submenu: a person sees it folded or open
  // (its marker, its children) even where the page sets no aria-expanded.
  const nestedList = (li, attrs) => {
    for (const child of li.children) {
      if (child.tagName !== "UL" && child.tagName !== "OL") continue;
      attrs.expanded = getComputedStyle(child).display === "none" ? "false" : "true";
      return;
    }
  };

  const record = (el, tag, g) => {
    const role = roleOf(el, tag);
    const rec = { k: "e", el, tag: tag.toLowerCase(), role, raw: "", label: labelOf(el), attrs: attrsOf(el, tag, role),
      rect: rectOf(g.area), inView: g.inView, overlay: g.overlay };
    if (tag === "LABEL") rec.role = roleOf(el.control, el.control.tagName);
    if (tag === "SELECT") { rec.options = optionsOf(el); rec.optionCount = el.options.length; }
    if (tag === "LI" && rec.attrs.expanded === undefined) nestedList(el, rec.attrs);
    const id = el.getAttribute(ATTR);
    if (id !== null && !used.has(id)) {
      used.add(id);
      rec.id = id;
      if (/^\d+$/.test(id)) maxSeen = Math.max(maxSeen, Number(id));
    } else fresh.push(rec);
    nodes.push(rec);
    return rec;
  };

  const frameRecord = (el, vis, inView) => {
    if (!el.getAttribute(FRAME_ATTR)) el.setAttribute(FRAME_ATTR, String(Math.random()).slice(2, 10));
    const r = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    const x = r.left + el.clientLeft + parseFloat(s.paddingLeft);
    const y = r.top + el.clientTop + parseFloat(s.paddingTop);
    frames.push({ key: el.getAttribute(FRAME_ATTR), x, y, clip: [vis.l, vis.t, vis.r, vis.b], inView });
    nodes.push({ k: "f", key: el.getAttribute(FRAME_ATTR) });
  };

  const isOverlay = (el, tag, s) => {
    const role = el.getAttribute("role");
    if (role === "dialog" || role === "alertdialog" || el.getAttribute("aria-modal") === "true") return true;
    if (tag === "DIALOG" && el.open) return true;
    return s.position === "fixed" && (parseInt(s.zIndex, 10) || 0) >= 10;
  };

  const childClip = (el, s, ctx, rect) => {
    if (s.overflowX === "visible" && s.overflowY === "visible") return null;
    if (el === document.body || el === document.documentElement) return null;
    const scrolls = /(auto|scroll)/.test(s.overflowX + s.overflowY);
    const inner = { l: rect.left + el.clientLeft, t: rect.top + el.clientTop,
      r: rect.left + el.clientLeft + el.clientWidth, b: rect.top + el.clientTop + el.clientHeight };
    return { clip: ctx.clip ? intersect(ctx.clip, inner) || { l: 0, t: 0, r: 0, b: 0 } : inner, scrolls };
  };

  const visitChildren = (parent, ctx) => {
    const root = parent.shadowRoot;
    if (root) {
      indexLabels(root);
      root.childNodes.forEach((n) => visit(n, ctx));
    }
    const kids = parent.tagName === "SLOT" ? parent.assignedNodes() : [];
    (kids.length ? kids : parent.childNodes).forEach((n) => visit(n, ctx));
  };

  const pruned = (el, tag, ctx) =>
    SKIP.has(tag) || el.inert || el.getAttribute("aria-hidden") === "true" ||
    (ctx.modal && !within(ctx.modal, el) && !within(el, ctx.modal));

  // Where the element is, once clipping ancestors and the viewport are applied.
  const place = (el, s, rect, ctx) => {
    const fixed = s.position === "fixed";
    const clip = fixed ? null : ctx.clip;
    const raw = box(rect);
    const vis = clip ? intersect(raw, clip) : raw;
    const area = vis || raw;
    const sized = area.r - area.l >= 2 && area.b - area.t >= 2;
    // Clipped by a scroller: reachable by scrolling it. Clipped by overflow:hidden: gone.
    const clippedAway = !vis && !(ctx.clipScroll && !fixed);
    const offPage = raw.r <= 0 || raw.b + window.scrollY <= 0;
    const shown = s.visibility === "visible" && !clippedAway && !offPage;
    return { fixed, clip, area, sized, shown, inView: shown && !!(vis && intersect(vis, VIEW)) };
  };

  const FRAME = {};
  // The element's record when it is listed, FRAME for a visible iframe, else null.
  const consider = (el, tag, s, g, ctx) => {
    if (!g.shown || !g.sized || g.blockedOut) return null;
    const isFrame = tag === "IFRAME" || tag === "FRAME";
    const why = isFrame || interactive(el, tag, s, ctx);
    if (!why) return null;
    if (g.inView && !reachable(el, g.area)) return null;
    if (!isFrame) return Object.assign(record(el, tag, g), { byCursor: why === BY_CURSOR });
    frameRecord(el, g.area, g.inView);
    return FRAME;
  };

  const childContext = (el, tag, s, rect, g, ctx, owner) => {
    const level = /^H([1-6])$/.exec(tag);
    const newBlock = !INLINE.has(s.display) && s.display !== "table-cell";
    const cc = childClip(el, s, ctx, rect);
    // A label's text is already its control's label; a clipping box too small to see shows no text.
    const quiet = (tag === "LABEL" && !!el.control && !owner) || (cc && !cc.scrolls && !g.sized);
    return {
      ...ctx, el, owner, vis: g.area, rect: rectOf(g.area), inView: g.inView, overlay: g.overlay, inCover: g.inCover,
      shown: g.shown && !g.blockedOut && !quiet, covered: undefined, pointer: s.cursor === "pointer",
      heading: level ? Number(level[1]) : ctx.heading, block: newBlock || owner !== ctx.owner ? el : ctx.block,
      clip: cc ? cc.clip : g.clip, clipScroll: cc ? cc.scrolls : g.fixed ? false : ctx.clipScroll,
    };
  };

  // Cells of one table row read as "a | b | c" on one line.
  const separateCell = (ctx) => {
    const last = nodes[nodes.length - 1];
    if (last && last.k === "t" && last.block === ctx.block) last.raw += " | ";
  };

  const visit = (node, ctx) => {
    if (node.nodeType === 3) return visitText(node, ctx);
    if (node.nodeType !== 1) return;
    const el = node;
    const tag = el.tagName.toUpperCase();
    if (pruned(el, tag, ctx)) return;
    const s = getComputedStyle(el);
    if (s.display === "none" || parseFloat(s.opacity) === 0) return;
    if (s.display === "contents") return visitChildren(el, { ...ctx, pointer: s.cursor === "pointer" });
    const rect = el.getBoundingClientRect();
    const g = place(el, s, rect, ctx);
    g.overlay = ctx.overlay || isOverlay(el, tag, s);
    g.inCover = ctx.inCover || coverSet.has(el);
    g.blockedOut = blocked && !g.overlay && !g.inView && !g.inCover;
    const rec = consider(el, tag, s, g, ctx);
    if (rec === FRAME || tag === "IFRAME" || tag === "FRAME" || tag === "SELECT" || tag === "TEXTAREA") return;
    const owner = rec || ctx.owner;
    if (tag === "IMG" && owner) owner.raw += " " + (el.alt || "");
    // An empty element drawn as an icon by its class (an icon font, a sprite sheet) shows a person a
    // picture the text leaves out: "the item with the ▶ icon". Its class names the picture.
    const icon = el.firstChild || !g.shown || !g.sized ? "" : iconClass(el);
    if (icon) {
      if (!owner) return visitText({ data: ` [icon: ${icon}] ` }, childContext(el, tag, s, rect, g, ctx, owner));
      const had = owner.attrs.icon ? owner.attrs.icon.split(" ") : [];
      if (had.length < 3) owner.attrs.icon = [...had, icon].join(" "); // a few name it; more are decoration
      return;
    }
    if (s.display === "table-cell" && !owner) separateCell(ctx);
    visitChildren(el, childContext(el, tag, s, rect, g, ctx, owner));
    if (owner && owner === ctx.owner && !INLINE.has(s.display)) owner.raw += " ";
  };

  // 5. A control drawn only as a picture (an <img> without alt, an SVG sprite, CSS `content: url()` or a
  // background image) is named by the picture's file name, the nearest text to what a person sees: a
  // trash-can button reads `icon=delete`. Asked only of nameless controls, and of a few elements each.
  const stemOf = (url) => {
    const m = /([^/#?]+?)(?:\.[a-z0-9]{2,5})?(?:\?[^#]*)?$/i.exec(url.includes("#") ? url.split("#").pop() : url);
    try { return m ? cut(decodeURIComponent(m[1]), 40) : ""; } catch (e) { return m ? cut(m[1], 40) : ""; }
  };
  const cssUrl = (value) => {
    const m = /url\(["']?([^"')]+)["']?\)/.exec(value || "");
    return m && !m[1].startsWith("data:") ? m[1] : "";
  };
  const pictureOf = (el) => {
    const tag = el.tagName;
    if (tag === "IMG") return el.alt ? "" : el.getAttribute("src") || "";
    if (tag === "use" || tag === "USE") return el.getAttribute("href") || el.getAttribute("xlink:href") || "";
    const s = getComputedStyle(el);
    // A sprite sheet's name says nothing of the one picture shown through it.
    const sprite = s.backgroundPosition !== "0% 0%";
    return cssUrl(s.content) || (sprite ? "" : cssUrl(s.backgroundImage));
  };
  const iconOf = (root) => {
    const all = root.getElementsByTagName("*");
    for (let i = -1; i < Math.min(all.length, 6); i++) {
      const url = pictureOf(i < 0 ? root : all[i]);
      if (url && !url.startsWith("data:")) return stemOf(url);
    }
    return "";
  };

  const top = { inCover: false, clip: null, clipScroll: false, owner: null, block: null, pointer: false, overlay: false,
    heading: 0, shown: true, inView: true, el: document.body, vis: VIEW, rect: [0, 0, VW, VH],
    modal: modalDialog };
  indexLabels(document);
  if (document.body) visit(document.body, top);

  // 6. New ids continue after every id already in use, so a reloaded counter never reuses one.
  const start = args.start === null || args.start === undefined ? window.__skNext || 1 : args.start;
  let next = Math.max(start, maxSeen + 1);
  for (const rec of fresh) {
    rec.id = String(next++);
    rec.el.setAttribute(ATTR, rec.id);
  }
  window.__skNext = next;
  const out = [];
  nodes.forEach((n, i) => {
    if (n.k === "f") { out.push(n); return; }
    const text = clean(n.raw);
    if (n.k === "t") {
      if (!text || /^[\W_]{1,2}$/u.test(text)) return;
      out.push({ k: "t", text: cut(text, MAX_TEXT), h: n.h, rect: n.rect, inView: n.inView, overlay: n.overlay });
      return;
    }
    const { el, raw, byCursor, ...rest } = n;
    const holds = nodes[i + 1] && nodes[i + 1].k === "e" && el.contains(nodes[i + 1].el); // its pictures are theirs
    if (!text && !n.label && !holds && !["input", "select", "textarea"].includes(n.tag)) {
      const icon = iconOf(el);
      if (icon) rest.attrs.icon = icon;
    }
    out.push({ ...rest, text: cut(text, MAX_LABEL), label: cut(n.label, MAX_LABEL) });
  });
  // A JSON string crosses the Playwright protocol far faster than a large object graph. Old libraries
  // (Prototype.js) add Array.prototype.toJSON, which would encode every array twice.
  // Reported to the agent: a dialog or high layer is in the way, not merely a fixed app shell.
  const modal = !!modalDialog || [...coverSet].some((c) => isOverlay(c, c.tagName, getComputedStyle(c)));
  const result = { nodes: out, frames, next, blocked: modal, viewport: [VW, VH], url: location.href, title: document.title };
  const toJSON = Array.prototype.toJSON;
  if (toJSON) delete Array.prototype.toJSON;
  try { return JSON.stringify(result); } finally { if (toJSON) Array.prototype.toJSON = toJSON; }
}
