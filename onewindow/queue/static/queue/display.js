/* The calling display (docs/rules/hall.md §J13): progressive enhancement only, no inline code
   (CSP), no CDN. Polls the JSON every 5 s and redraws the table; a new call is announced on
   screen (aria-live) and, once someone has switched the sound on, by a short beep through the
   Web Audio API (browsers block sound until a click, so it starts muted). */
(function () {
  "use strict";
  var main = document.querySelector("[data-display-url]");
  if (!main) { return; }
  var url = main.getAttribute("data-display-url");
  var texts = document.querySelector("[data-texts]");
  var tbody = main.querySelector("[data-boards]");
  var latestText = main.querySelector("[data-latest-text]");
  var waiting = main.querySelector("[data-waiting]");
  var sound = main.querySelector("[data-sound]");
  var latest = main.getAttribute("data-latest") || "";
  var audio = null;
  var soundOn = false;

  function beep() {
    if (!soundOn || !audio) { return; }
    var osc = audio.createOscillator();
    var gain = audio.createGain();
    osc.type = "sine";
    osc.frequency.value = 880;
    gain.gain.setValueAtTime(0.2, audio.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.6);
    osc.connect(gain);
    gain.connect(audio.destination);
    osc.start();
    osc.stop(audio.currentTime + 0.6);
  }

  if (sound) {
    sound.hidden = false;
    sound.addEventListener("click", function () {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      if (!audio && Ctx) { audio = new Ctx(); }
      soundOn = !soundOn;
      sound.setAttribute("aria-pressed", soundOn ? "true" : "false");
      sound.textContent = texts.getAttribute(soundOn ? "data-on" : "data-off");
      if (soundOn) { beep(); }
    });
  }

  function cell(tag, text, cls) {
    var el = document.createElement(tag);
    el.textContent = text;
    if (cls) { el.className = cls; }
    return el;
  }

  function draw(data) {
    waiting.textContent = String(data.waiting);
    while (tbody.firstChild) { tbody.removeChild(tbody.firstChild); }
    if (!data.windows.length) {
      var row = document.createElement("tr");
      var td = cell("td", texts.getAttribute("data-empty"));
      td.colSpan = 4;
      row.appendChild(td);
      tbody.appendChild(row);
    }
    data.windows.forEach(function (w) {
      var tr = document.createElement("tr");
      var th = cell("th", w.number + " ");
      th.scope = "row";
      th.appendChild(cell("span", w.name, "display-name"));
      tr.appendChild(th);
      tr.appendChild(cell("td", w.current || "—", "display-current"));
      tr.appendChild(cell("td", w.recent.join("、") || "—"));
      tr.appendChild(cell("td", w.next.join("、") || "—"));
      tbody.appendChild(tr);
    });
    var id = data.latest ? String(data.latest.id) : "";
    if (id && id !== latest) {
      latestText.textContent = texts.getAttribute("data-call")
        .replace("{n}", data.latest.number).replace("{w}", data.latest.window);
      beep();
    }
    latest = id;
  }

  function poll() {
    window.fetch(url, { headers: { "Accept": "application/json" }, credentials: "omit" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) { draw(data); } })
      .catch(function () { /* the next poll tries again */ });
  }
  window.setInterval(poll, 5000);
}());
