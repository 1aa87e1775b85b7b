// The complaint form's category picker: suggested categories as large buttons while the
// resident types, the whole list with a search box, and "Lainnya / tidak tahu".
// Progressive enhancement: without this script the plain <select name="category"> works.
(function () {
  "use strict";
  var picker = document.getElementById("category-picker");
  var select = document.getElementById("category");
  var form = document.getElementById("complaint-form");
  if (!picker || !select || !form || !window.fetch || !window.JSON) { return; }

  var MIN_CHARS = 15;
  var DEBOUNCE_MS = 400;
  var TEXT_LIMIT = 5200;

  var title = document.getElementById("title");
  var description = document.getElementById("description");
  var status = document.getElementById("category-status");
  var suggestions = document.getElementById("category-suggestions");
  var moreButton = document.getElementById("category-more");
  var list = document.getElementById("category-list");
  var search = document.getElementById("category-search");
  var nothing = document.getElementById("category-nothing");
  var chosenLine = document.getElementById("category-chosen");
  var chosenName = document.getElementById("category-chosen-name");
  var token = form.querySelector("input[name=csrf_token]");
  var messages = picker.dataset;

  // The hidden input carries the choice; the select stays only for browsers without JS.
  var value = document.createElement("input");
  value.type = "hidden";
  value.name = "category";
  value.id = "category-value";
  select.removeAttribute("name");
  select.parentNode.insertBefore(value, select);
  document.getElementById("category-select").hidden = true;
  picker.hidden = false;

  function nameOf(code) {
    if (!/^[a-z0-9_]+$/.test(code || "")) { return ""; }
    var button = picker.querySelector('.choice[data-code="' + code + '"]');
    return button ? button.textContent : "";
  }

  function choose(code) {
    value.value = code;
    Array.prototype.forEach.call(picker.querySelectorAll(".choice[data-code]"), function (button) {
      button.setAttribute("aria-pressed", button.dataset.code === code ? "true" : "false");
    });
    chosenName.textContent = code ? nameOf(code) : "";
    chosenLine.hidden = !code;
  }

  picker.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest(".choice[data-code]") : null;
    if (!button || !picker.contains(button)) { return; }
    choose(button.dataset.code);
    if (list.contains(button)) { toggleList(false); moreButton.focus(); }
  });

  // The whole list, grouped, with a search box that filters as the resident types.
  function toggleList(open) {
    list.hidden = !open;
    moreButton.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) { search.focus(); }
  }
  moreButton.addEventListener("click", function () { toggleList(list.hidden); });

  function plain(text) {
    text = text.toLowerCase();
    return text.normalize ? text.normalize("NFD").replace(/[\u0300-\u036f]/g, "") : text;
  }
  search.addEventListener("input", function () {
    var words = plain(search.value).split(/\s+/).filter(Boolean);
    var shown = 0;
    Array.prototype.forEach.call(list.querySelectorAll(".category-group"), function (group) {
      var inGroup = 0;
      Array.prototype.forEach.call(group.querySelectorAll(".choice"), function (button) {
        var haystack = plain(button.dataset.search || button.textContent);
        var match = words.every(function (word) { return haystack.indexOf(word) !== -1; });
        button.hidden = !match;
        if (match) { inGroup += 1; }
      });
      group.hidden = inGroup === 0;
      shown += inGroup;
    });
    nothing.hidden = shown > 0;
  });
  search.addEventListener("keydown", function (event) {
    if (event.key === "Enter") { event.preventDefault(); }  // not a form submit
    if (event.key === "Escape") { toggleList(false); moreButton.focus(); }
  });

  // Suggestions: asked for after a pause in typing, once there is enough text.
  var timer = null;
  var asked = "";
  var sequence = 0;
  var controller = null;

  function say(text) { status.textContent = text; }

  function typed() {
    return ((title ? title.value : "") + "\n" + (description ? description.value : ""))
      .trim().slice(0, TEXT_LIMIT);
  }

  function show(items) {
    suggestions.textContent = "";
    items.forEach(function (item) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "choice choice-suggested";
      button.dataset.code = item.code;
      button.textContent = item.name;
      button.setAttribute("aria-pressed", item.code === value.value ? "true" : "false");
      suggestions.appendChild(button);
    });
    say(items.length ? messages.msgFound : messages.msgNone);
  }

  function ask() {
    var text = typed();
    if (text.replace(/\s+/g, "").length < MIN_CHARS) {
      asked = "";
      suggestions.textContent = "";
      say(messages.msgStart);
      return;
    }
    if (text === asked) { return; }
    asked = text;
    var mine = ++sequence;
    if (controller) { controller.abort(); }
    controller = window.AbortController ? new AbortController() : null;
    say(messages.msgLoading);
    var headers = { "Content-Type": "application/json", "Accept": "application/json" };
    if (token) { headers["X-CSRFToken"] = token.value; }
    fetch(messages.suggestUrl, {
      method: "POST",
      headers: headers,
      credentials: "same-origin",
      body: JSON.stringify({ text: text }),
      signal: controller ? controller.signal : undefined
    }).then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.json();
    }).then(function (data) {
      if (mine === sequence) { show(data.suggestions || []); }
    }).catch(function (error) {
      if (mine !== sequence || (error && error.name === "AbortError")) { return; }
      asked = "";  // try again at the next pause
      suggestions.textContent = "";
      say(messages.msgError);
    });
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, DEBOUNCE_MS);
  }
  if (title) { title.addEventListener("input", later); }
  if (description) { description.addEventListener("input", later); }

  // Back after a validation error: keep the choice, and suggest for the kept text.
  var kept = messages.chosen || select.value;
  choose(kept && nameOf(kept) ? kept : "");
  ask();
})();
