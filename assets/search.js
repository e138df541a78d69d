// Rrjeti search form: suggestions while typing (an ARIA combobox over /api/v1/suggest) and
// choices that apply at once. The page works without this script; it only saves steps.
(function () {
  "use strict";
  var form = document.querySelector("form.search");
  if (!form) return;

  // A changed choice (type, place, radius, sort) searches at once. Choosing a place
  // implies sorting by distance, the answer to "who is near X".
  form.querySelectorAll("select").forEach(function (select) {
    select.addEventListener("change", function () {
      var sort = form.querySelector("#sort");
      if (select.id === "near" && sort && select.value && sort.value === "relevance") {
        sort.value = "distance";
      }
      form.requestSubmit ? form.requestSubmit() : form.submit();
    });
  });

  var input = form.querySelector("#q");
  if (!input) return;
  var english = document.documentElement.lang === "en";
  var list = document.createElement("ul");
  list.id = "q-suggestions";
  list.className = "suggestions";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", english ? "Suggestions" : "Sugjerime");
  list.hidden = true;
  input.parentNode.appendChild(list);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", list.id);
  input.setAttribute("aria-expanded", "false");

  var items = [];
  var active = -1;
  var timer = null;
  var latest = 0;

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function highlight(index) {
    active = index;
    Array.prototype.forEach.call(list.children, function (li, i) {
      li.setAttribute("aria-selected", i === index ? "true" : "false");
    });
    if (index >= 0) {
      input.setAttribute("aria-activedescendant", list.children[index].id);
      list.children[index].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function choose(item) {
    close();
    if (item.href) {
      window.location.href = item.href;
    } else {
      input.value = item.text;
      form.requestSubmit ? form.requestSubmit() : form.submit();
    }
  }

  function show(data) {
    items = [];
    var langSuffix = english ? "?lang=en" : "";
    (data.names || []).forEach(function (n) {
      var path = n.type === "network" ? "/networks/" : "/organisations/";
      items.push({
        text: n.acronym ? n.name + " (" + n.acronym + ")" : n.name,
        kind: n.type === "network" ? (english ? "network" : "rrjet") : (english ? "organisation" : "organizatë"),
        href: path + encodeURIComponent(n.id) + langSuffix,
      });
    });
    (data.expertise || []).forEach(function (tag) {
      items.push({ text: tag.tag, kind: (english ? "expertise · " : "ekspertizë · ") + tag.count });
    });
    list.textContent = "";
    items.forEach(function (item, i) {
      var li = document.createElement("li");
      li.id = "q-suggestion-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      var text = document.createElement("span");
      text.textContent = item.text;
      var kind = document.createElement("span");
      kind.className = "kind";
      kind.textContent = item.kind;
      li.appendChild(text);
      li.appendChild(kind);
      li.addEventListener("mousedown", function (event) {
        event.preventDefault();
        choose(item);
      });
      list.appendChild(li);
    });
    active = -1;
    var open = items.length > 0;
    list.hidden = !open;
    input.setAttribute("aria-expanded", open ? "true" : "false");
  }

  function fetchSuggestions() {
    var text = input.value.trim();
    if (text.length < 2) {
      close();
      return;
    }
    var ticket = ++latest;
    fetch("/api/v1/suggest?limit=8&q=" + encodeURIComponent(text))
      .then(function (response) { return response.ok ? response.json() : { names: [] }; })
      .then(function (data) { if (ticket === latest) show(data); })
      .catch(close);
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(fetchSuggestions, 80);
  });
  input.addEventListener("keydown", function (event) {
    if (list.hidden) return;
    if (event.key === "ArrowDown") {
      event.preventDefault();
      highlight((active + 1) % items.length);
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      highlight(active <= 0 ? items.length - 1 : active - 1);
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      choose(items[active]);
    } else if (event.key === "Escape") {
      close();
    }
  });
  input.addEventListener("blur", function () { setTimeout(close, 100); });
})();
