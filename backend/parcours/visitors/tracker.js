/* Parcours website tracking: page views and custom events under an anonymous first-party id.
   <script src="https://parcours.example.com/t.js" data-consent="required" async></script>
   parcours.track("added_to_cart", {sku: "A1"}); parcours.consent(true|false); parcours.page(); */
(function (w, d) {
  "use strict";
  var script = d.currentScript;
  var base = script ? script.src.replace(/\/t\.js(\?.*)?$/, "") : "";
  var required = !!script && script.getAttribute("data-consent") === "required";
  var KEY = "parcours_aid", CONSENT = "parcours_consent", ID = /^[A-Za-z0-9_-]{16,64}$/;
  var queue = [], timer = null, id = null, pending = null, previous = w.parcours;

  function get(k) { try { return w.localStorage.getItem(k); } catch (e) { return null; } }
  function set(k, v) { try { if (v === null) w.localStorage.removeItem(k); else w.localStorage.setItem(k, v); } catch (e) { /* private mode */ } }
  function cookie(v) {
    d.cookie = KEY + "=" + (v || "") + ";path=/;SameSite=Lax;max-age=" + (v ? 34560000 : 0) +
      (w.location.protocol === "https:" ? ";Secure" : "");
  }
  function dnt() {
    var n = w.navigator;
    return n.doNotTrack === "1" || w.doNotTrack === "1" || n.msDoNotTrack === "1" || n.globalPrivacyControl === true;
  }
  function allowed() {
    var c = get(CONSENT);
    return !dnt() && c !== "no" && (!required || c === "yes");
  }
  function random() {
    var b = new Uint8Array(16), s = "";
    w.crypto.getRandomValues(b);
    for (var i = 0; i < b.length; i++) s += ("0" + b[i].toString(16)).slice(-2);
    return s;
  }
  function anonymousId() {
    if (!allowed()) return null;
    if (!id) {
      var m = d.cookie.match(/(?:^|; )parcours_aid=([A-Za-z0-9_-]{16,64})/);
      id = (m && m[1]) || get(KEY);
      if (!id || !ID.test(id)) id = random();
    }
    set(KEY, id);
    cookie(id);
    return id;
  }
  function send() {
    if (timer) { clearTimeout(timer); timer = null; }
    var aid = anonymousId();
    if (!aid) { queue = []; return; }
    while (queue.length) {
      var body = JSON.stringify({ anonymous_id: aid, events: queue.splice(0, 50) });
      var url = base + "/t/collect";
      var sent = false;
      try { sent = !!w.navigator.sendBeacon && w.navigator.sendBeacon(url, new Blob([body], { type: "text/plain" })); } catch (e) { sent = false; }
      if (!sent && w.fetch) {
        w.fetch(url, { method: "POST", body: body, keepalive: true, credentials: "omit", headers: { "Content-Type": "text/plain" } })["catch"](function () {});
      }
    }
  }
  function push(e) {
    if (!allowed()) return;
    queue.push(e);
    if (queue.length >= 10) send();
    else if (!timer) timer = setTimeout(send, 1000);
  }
  function event(type, props) {
    return { type: type, url: w.location.href, title: d.title || null, referrer: d.referrer || null, properties: props || {} };
  }
  function forgetToken() {
    // The email click's contact token names a person: never leave it in an address that gets shared.
    if (/[?&]pc=/.test(w.location.search) && w.history.replaceState && w.URL) {
      var u = new w.URL(w.location.href);
      u.searchParams["delete"]("pc");
      w.history.replaceState(w.history.state, "", u.toString());
    }
  }
  function page() {
    var e = event("page_visited");
    if (allowed()) push(e); else pending = e;
    forgetToken();
  }
  function fill(root) {
    var aid = anonymousId();
    if (!aid) return;
    var inputs = (root || d).querySelectorAll('input[name="anonymous_id"]');
    for (var i = 0; i < inputs.length; i++) inputs[i].value = aid;
  }
  function consent(yes) {
    set(CONSENT, yes ? "yes" : "no");
    if (!yes) {
      queue = []; pending = null; id = null; set(KEY, null); cookie(null);
      var inputs = d.querySelectorAll('input[name="anonymous_id"]');
      for (var i = 0; i < inputs.length; i++) inputs[i].value = "";
      return;
    }
    if (pending) { push(pending); pending = null; }
    fill();
  }

  var api = {
    track: function (type, props) { push(event(String(type), props)); },
    page: page,
    consent: consent,
    anonymousId: anonymousId
  };
  w.parcours = api;

  d.addEventListener("submit", function (e) { if (e.target && e.target.querySelectorAll) fill(e.target); }, true);
  d.addEventListener("visibilitychange", function () { if (d.visibilityState === "hidden") send(); });
  w.addEventListener("pagehide", send);
  if (w.MutationObserver) {
    new w.MutationObserver(function () { if (d.querySelector('input[name="anonymous_id"]')) fill(); })
      .observe(d.documentElement, { childList: true, subtree: true });
  }
  ["pushState", "replaceState"].forEach(function (name) {
    var original = w.history[name];
    if (!original) return;
    w.history[name] = function () {
      var before = w.location.href, result = original.apply(this, arguments);
      if (name === "pushState" && w.location.href !== before) page();
      return result;
    };
  });
  w.addEventListener("popstate", page);

  page();
  if (d.readyState === "loading") d.addEventListener("DOMContentLoaded", function () { fill(); });
  else fill();
  // Calls queued before the script loaded: window.parcours = window.parcours || {q: []}; q.push(["track", ...]).
  var calls = (previous && previous.q) || [];
  for (var j = 0; j < calls.length; j++) if (api[calls[j][0]]) api[calls[j][0]].apply(null, calls[j].slice(1));
})(window, document);
