// LiveSocket: one WebSocket that follows the event contract {seq, type, run_id, data}.
// The page is always server-rendered first; this only adds what is new. Whenever the client may have missed
// something (the socket (re)opens, or a run's seq jumps), it rebuilds from HTTP. Events that arrive while a
// rebuild is in flight are held and replayed afterwards; handlers are idempotent, so replaying is harmless.
(function () {
  "use strict";

  const STATE_TEXT = {
    connecting: "Connecting…",
    live: "Live",
    reconnecting: "Reconnecting…",
    done: "Finished",
    refused: "Not live: reload the page",
  };
  // The server's close codes for "not logged in" and "no such run here": retrying cannot help.
  const FINAL_CLOSE_CODES = [4403, 4404];
  const MAX_DELAY_MS = 10000;

  function socketUrl(path) {
    return (location.protocol === "https:" ? "wss://" : "ws://") + location.host + path;
  }

  class LiveSocket {
    /**
     * options.path: the ws path; options.onEvent(event): apply one event;
     * options.rebuild(): Promise that refreshes the page state from HTTP;
     * options.trackSeq: detect gaps per run (the run page); the list refetches rows instead.
     */
    constructor(options) {
      this.options = options;
      this.lastSeq = new Map();
      this.held = null;
      this.rebuildAgain = false;
      this.attempt = 0;
      this.stopped = false;
      this.connect();
    }

    connect() {
      this.setState(this.attempt ? "reconnecting" : "connecting");
      const ws = new WebSocket(socketUrl(this.options.path));
      this.ws = ws;
      ws.addEventListener("open", () => {
        this.attempt = 0;
        this.setState("live");
        this.lastSeq.clear();
        this.rebuild();
      });
      ws.addEventListener("message", (message) => {
        let event;
        try {
          event = JSON.parse(message.data);
        } catch (err) {
          return;
        }
        this.receive(event);
      });
      ws.addEventListener("close", (event) => {
        if (this.stopped) return;
        if (FINAL_CLOSE_CODES.includes(event.code)) {
          this.stopped = true;
          this.setState("refused");
          return;
        }
        this.setState("reconnecting");
        const delay = Math.min(500 * 2 ** this.attempt, MAX_DELAY_MS);
        this.attempt += 1;
        setTimeout(() => this.connect(), delay);
      });
    }

    receive(event) {
      if (this.options.trackSeq && typeof event.seq === "number") {
        const last = this.lastSeq.get(event.run_id);
        if (last !== undefined && event.seq <= last) return; // seen already
        this.lastSeq.set(event.run_id, event.seq);
        if (last !== undefined && event.seq > last + 1) {
          this.rebuild();
          return; // the rebuilt page includes this event's effect
        }
      }
      if (this.held && event.type !== "frame") {
        this.held.push(event);
        return;
      }
      this.options.onEvent(event);
    }

    async rebuild() {
      if (this.held) {
        this.rebuildAgain = true; // state may have moved since the running rebuild's request left
        return;
      }
      this.held = [];
      do {
        this.rebuildAgain = false;
        try {
          await this.options.rebuild();
        } catch (err) {
          console.warn("rebuild failed", err);
        }
      } while (this.rebuildAgain && !this.stopped);
      this.setState(this.state); // a rebuilt region may hold a fresh copy of the indicator
      const held = this.held;
      this.held = null;
      held.forEach((event) => this.options.onEvent(event));
    }

    stop() {
      this.stopped = true;
      this.setState("done");
      if (this.ws) this.ws.close();
    }

    setState(state) {
      this.state = state;
      const indicator = document.getElementById("live-indicator");
      if (!indicator) return;
      indicator.dataset.state = state;
      indicator.textContent = STATE_TEXT[state];
    }
  }

  // Fetch a page and return it parsed, for swapping server-rendered regions into this document.
  async function fetchDocument(url) {
    // X-Live-Rebuild: the server leaves one-time messages ("Run canceled.") for the page they were meant for.
    const response = await fetch(url, {
      credentials: "same-origin",
      headers: { Accept: "text/html", "X-Live-Rebuild": "1" },
    });
    if (!response.ok) throw new Error("HTTP " + response.status);
    return new DOMParser().parseFromString(await response.text(), "text/html");
  }

  window.LiveSocket = LiveSocket;
  window.fetchDocument = fetchDocument;
})();
