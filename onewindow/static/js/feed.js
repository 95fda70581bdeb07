/* 现场直播 (live feed): poll the feed API for events newer than the newest row shown and
   prepend them. Progressive enhancement: without this script the server-rendered page works
   (reload to update). Text is set with textContent only, never parsed as HTML. */
(function () {
  "use strict";
  var table = document.getElementById("feed");
  if (!table || !window.fetch) { return; }
  var body = table.tBodies[0];
  var status = document.getElementById("feed-status");
  var after = parseInt(table.dataset.after || "0", 10) || 0;
  // 发牌动态: the cards table, with its own cursor on the card ids.
  var cardsTable = document.getElementById("feed-cards");
  var cardsAfter = cardsTable ? (parseInt(cardsTable.dataset.after || "0", 10) || 0) : 0;
  var INTERVAL = 5000;
  var MAX_ROWS = 300;
  var busy = false;

  function cell(row, text) {
    var td = document.createElement("td");
    td.textContent = text;
    row.appendChild(td);
    return td;
  }

  function two(n) { return (n < 10 ? "0" : "") + n; }

  function when(iso) {
    var d = new Date(iso);
    if (isNaN(d.getTime())) { return iso; }
    return d.getFullYear() + "-" + two(d.getMonth() + 1) + "-" + two(d.getDate()) + " " +
      two(d.getHours()) + ":" + two(d.getMinutes()) + ":" + two(d.getSeconds());
  }

  function render(e) {
    var row = document.createElement("tr");
    row.dataset.id = String(e.id);
    row.className = "feed-new";
    cell(row, when(e.at));
    var link = document.createElement("a");
    link.href = e.case_url;
    link.textContent = e.case_number;
    cell(row, "").appendChild(link);
    cell(row, e.item);
    cell(row, e.department);
    var who = cell(row, e.actor || table.dataset.systemLabel || "");
    if (e.actor_role_label) {
      var role = document.createElement("span");
      role.className = "muted";
      role.textContent = " (" + e.actor_role_label + ")";
      who.appendChild(role);
    }
    cell(row, e.action_label);
    var change = e.new_status && e.new_status !== e.old_status
      ? (e.old_status_label || "—") + " → " + e.new_status_label : "";
    cell(row, change);
    return row;
  }

  function renderCard(c) {
    var row = document.createElement("tr");
    row.dataset.id = String(c.id);
    row.className = "feed-new";
    cell(row, when(c.at));
    if (c.case_url) {
      var link = document.createElement("a");
      link.href = c.case_url;
      link.textContent = c.case_number;
      cell(row, "").appendChild(link);
    } else {
      cell(row, "\u2014"); // a card on a letter without a case
    }
    cell(row, c.item);
    cell(row, c.department);
    var badge = document.createElement("a");
    badge.href = c.card_url;
    badge.className = "badge " + (c.level === "red" ? "badge-due-overdue" : "badge-due-next");
    badge.textContent = c.text;
    cell(row, "").appendChild(badge);
    cell(row, c.status_label);
    return row;
  }

  function prepend(tbody, items, make) {
    if (!items.length) { return; }
    var empty = tbody.querySelector(".feed-empty");
    if (empty) { empty.remove(); }
    var fragment = document.createDocumentFragment();
    items.forEach(function (item) { fragment.appendChild(make(item)); });
    tbody.insertBefore(fragment, tbody.firstChild);
    while (tbody.rows.length > MAX_ROWS) { tbody.deleteRow(tbody.rows.length - 1); }
  }

  function poll() {
    if (busy || document.hidden) { return; }
    busy = true;
    var params = new URLSearchParams({ after: String(after) });
    if (table.dataset.department) { params.set("department", table.dataset.department); }
    if (table.dataset.action) { params.set("action", table.dataset.action); }
    if (table.dataset.rule) { params.set("rule", table.dataset.rule); }
    if (cardsTable) { params.set("cards_after", String(cardsAfter)); }
    fetch(table.dataset.endpoint + "?" + params.toString(), {
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    }).then(function (data) {
      prepend(body, data.results || [], render);
      after = Math.max(after, data.last_id || 0);
      if (cardsTable && data.cards) {
        prepend(cardsTable.tBodies[0], data.cards, renderCard);
        cardsAfter = Math.max(cardsAfter, data.cards_last_id || 0);
      }
      if (status) { status.textContent = table.dataset.liveLabel || ""; }
    }).catch(function () {
      if (status) { status.textContent = table.dataset.errorLabel || ""; }
    }).then(function () { busy = false; });
  }

  window.setInterval(poll, INTERVAL);
  poll();
}());
