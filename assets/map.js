// Rrjeti map: Albania's municipality and county boundaries from the server's own GeoJSON,
// drawn as SVG (no tile server, so it works offline), with a choropleth of result counts,
// organisations as points clustered at low zoom, zoom and pan by mouse, touch and keyboard,
// and controls that turn the view or the user's position into search filters.
(function () {
  "use strict";
  var element = document.getElementById("map");
  if (!element) return;
  var SVG = "http://www.w3.org/2000/svg";
  // An equirectangular projection scaled for Albania's latitude: close enough at this size.
  var K = Math.cos((41.15 * Math.PI) / 180);
  var COLOURS = ["#f7f9fb", "#d6e8f2", "#a9cfe3", "#6fadcf", "#3b87b5", "#155f8c"];
  var words = JSON.parse(element.dataset.words || "{}");
  var search = element.dataset.search;
  var inlinePoints = element.dataset.points ? JSON.parse(element.dataset.points) : null;
  var english = document.documentElement.lang === "en";

  function project(lon, lat) { return [lon * K, -lat]; }
  function unproject(x, y) { return [x / K, -y]; }
  function el(name, attributes) {
    var node = document.createElementNS(SVG, name);
    for (var key in attributes) node.setAttribute(key, attributes[key]);
    return node;
  }
  function json(url) {
    return fetch(url).then(function (r) {
      if (!r.ok) throw new Error(url + ": " + r.status);
      return r.json();
    });
  }

  // --- the drawing -------------------------------------------------------------------
  var svg = el("svg", { role: "img", "aria-label": words.map || "Map" });
  var unitLayer = el("g", {});
  var countyLayer = el("g", {});
  var areaLayer = el("g", {});
  var pointLayer = el("g", {});
  svg.appendChild(unitLayer);
  svg.appendChild(countyLayer);
  svg.appendChild(areaLayer);
  svg.appendChild(pointLayer);
  element.appendChild(svg);
  element.tabIndex = 0;
  element.setAttribute("role", "group");
  element.setAttribute("aria-label", words.map || "Map");

  var tools = document.createElement("div");
  tools.className = "map-tools";
  element.appendChild(tools);
  function tool(text, label, className, onClick, parent) {
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = text;
    button.className = className || "";
    if (label) button.setAttribute("aria-label", label);
    button.addEventListener("click", onClick);
    (parent || tools).appendChild(button);
    return button;
  }
  tool("+", words.zoom_in, "zoom", function () { zoomBy(2); });
  tool("−", words.zoom_out, "zoom", function () { zoomBy(0.5); });

  var selected = document.createElement("div");
  selected.className = "map-selected";
  selected.hidden = true;
  selected.setAttribute("aria-live", "polite");
  element.appendChild(selected);

  var after = element;
  function below(node) {
    after.parentNode.insertBefore(node, after.nextSibling);
    after = node;
    return node;
  }
  var status = below(document.createElement("p"));
  status.className = "map-status";
  status.setAttribute("aria-live", "polite");
  var legend = null;

  if (element.dataset.controls === "search") {
    var actions = below(document.createElement("div"));
    actions.className = "map-actions";
    tool(words.search_this_area, null, "", searchThisArea, actions);
    tool(words.near_me, null, "secondary", nearMe, actions);
  }

  // --- the view: centre (x, y) in projected units and scale s in pixels per unit ---------
  var view = { x: 0, y: 0, s: 1 };
  var points = [];
  var frame = 0;

  function size() {
    return { w: element.clientWidth || 300, h: element.clientHeight || 300 };
  }
  function fit(minLon, minLat, maxLon, maxLat) {
    var a = project(minLon, maxLat), b = project(maxLon, minLat);
    var box = size();
    view.x = (a[0] + b[0]) / 2;
    view.y = (a[1] + b[1]) / 2;
    view.s = Math.min(box.w / Math.max(b[0] - a[0], 1e-3), box.h / Math.max(b[1] - a[1], 1e-3)) * 0.92;
    redraw();
  }
  function redraw() {
    if (frame) return;
    frame = requestAnimationFrame(function () {
      frame = 0;
      var box = size();
      var w = box.w / view.s, h = box.h / view.s;
      svg.setAttribute("viewBox", [view.x - w / 2, view.y - h / 2, w, h].join(" "));
      drawPoints(w, h);
    });
  }
  function zoomBy(factor, px, py) {
    var box = size();
    // Keep the point under the pointer (or the centre) where it is.
    var ox = px === undefined ? 0 : px - box.w / 2;
    var oy = py === undefined ? 0 : py - box.h / 2;
    var next = Math.max(40, Math.min(view.s * factor, 200000));
    view.x += ox / view.s - ox / next;
    view.y += oy / view.s - oy / next;
    view.s = next;
    redraw();
  }
  function viewBounds() {
    var box = size();
    var a = unproject(view.x - box.w / 2 / view.s, view.y - box.h / 2 / view.s);
    var b = unproject(view.x + box.w / 2 / view.s, view.y + box.h / 2 / view.s);
    return { minLon: a[0], maxLat: a[1], maxLon: b[0], minLat: b[1] };
  }

  // --- interaction ---------------------------------------------------------------------
  svg.addEventListener("wheel", function (event) {
    event.preventDefault();
    var rect = svg.getBoundingClientRect();
    zoomBy(event.deltaY < 0 ? 1.25 : 0.8, event.clientX - rect.left, event.clientY - rect.top);
  }, { passive: false });
  var drag = null;
  svg.addEventListener("pointerdown", function (event) {
    drag = { x: event.clientX, y: event.clientY, moved: false };
    svg.setPointerCapture(event.pointerId);
  });
  svg.addEventListener("pointermove", function (event) {
    if (!drag) return;
    var dx = event.clientX - drag.x, dy = event.clientY - drag.y;
    if (!drag.moved && Math.abs(dx) + Math.abs(dy) < 4) return;
    drag.moved = true;
    svg.classList.add("dragging");
    view.x -= dx / view.s;
    view.y -= dy / view.s;
    drag.x = event.clientX;
    drag.y = event.clientY;
    redraw();
  });
  svg.addEventListener("pointerup", function (event) {
    var wasDrag = drag && drag.moved;
    drag = null;
    svg.classList.remove("dragging");
    if (!wasDrag) pick(event);
  });
  svg.addEventListener("dblclick", function (event) {
    var rect = svg.getBoundingClientRect();
    zoomBy(2, event.clientX - rect.left, event.clientY - rect.top);
  });
  element.addEventListener("keydown", function (event) {
    if (event.target !== element) return;
    var step = 60 / view.s;
    var moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
    if (moves[event.key]) {
      view.x += moves[event.key][0];
      view.y += moves[event.key][1];
      redraw();
    } else if (event.key === "+" || event.key === "=") {
      zoomBy(1.5);
    } else if (event.key === "-") {
      zoomBy(1 / 1.5);
    } else {
      return;
    }
    event.preventDefault();
  });

  // A click on a cluster zooms into it; on a point, names it with a link.
  function pick(event) {
    var target = event.target;
    if (target.__cluster) {
      var c = target.__cluster;
      view.x = c.x;
      view.y = c.y;
      zoomBy(2.5);
    } else if (target.__point) {
      var p = target.__point;
      selected.textContent = "";
      var link = document.createElement(p.href ? "a" : "strong");
      if (p.href) link.href = p.href;
      link.textContent = p.name;
      selected.appendChild(link);
      if (p.distance !== undefined && p.distance !== null) {
        selected.appendChild(document.createTextNode(" · " + formatKm(p.distance) + " km"));
      }
      selected.hidden = false;
    } else {
      selected.hidden = true;
    }
  }
  function formatKm(km) {
    var text = km >= 10 ? km.toFixed(0) : km.toFixed(1);
    return english ? text : text.replace(".", ",");
  }

  // --- boundaries and the choropleth ---------------------------------------------------
  function pathData(geometry) {
    var polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
    var d = "";
    polygons.forEach(function (polygon) {
      polygon.forEach(function (ring) {
        ring.forEach(function (c, i) {
          var p = project(c[0], c[1]);
          d += (i ? "L" : "M") + p[0].toFixed(4) + " " + p[1].toFixed(4);
        });
        d += "Z";
      });
    });
    return d;
  }
  // Class limits for the choropleth: up to five round numbers up to the largest count.
  // A count takes the colour of the number of limits it reaches (0 for none).
  function classes(max) {
    var nice = [1, 2, 3, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000];
    var usable = nice.filter(function (t) { return t <= Math.max(max, 1); });
    if (usable.length <= 5) return usable;
    var picked = [];
    for (var i = 0; i < 5; i++) {
      var t = usable[Math.round((i * (usable.length - 1)) / 4)];
      if (picked.indexOf(t) < 0) picked.push(t);
    }
    return picked;
  }
  function drawUnits(collection, counted) {
    var max = 0;
    collection.features.forEach(function (f) { max = Math.max(max, f.properties.count || 0); });
    var limits = classes(max);
    collection.features.forEach(function (f) {
      var path = el("path", { d: pathData(f.geometry), class: "unit" });
      if (counted) {
        var count = f.properties.count || 0;
        var k = limits.filter(function (t) { return count >= t; }).length;
        path.style.fill = COLOURS[k];
        var title = el("title", {});
        title.textContent = f.properties.name + ": " + count;
        path.appendChild(title);
      }
      unitLayer.appendChild(path);
    });
    if (counted) drawLegend(limits);
  }
  function drawLegend(limits) {
    legend = below(document.createElement("div"));
    legend.className = "legend";
    var caption = document.createElement("span");
    caption.textContent = words.legend;
    legend.appendChild(caption);
    var labels = ["0"];
    limits.forEach(function (t, i) {
      var next = limits[i + 1];
      labels.push(next === undefined ? t + "+" : next - 1 === t ? String(t) : t + "–" + (next - 1));
    });
    labels.forEach(function (label, i) {
      var item = document.createElement("span");
      var swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.background = COLOURS[i];
      item.appendChild(swatch);
      item.appendChild(document.createTextNode(label));
      legend.appendChild(item);
    });
  }
  function drawCounties(collection) {
    collection.features.forEach(function (f) {
      countyLayer.appendChild(el("path", { d: pathData(f.geometry), class: "county" }));
    });
  }

  // --- points, clustered in screen cells ------------------------------------------------
  function drawPoints(w, h) {
    pointLayer.textContent = "";
    var cell = 44 / view.s;
    var left = view.x - w / 2 - cell, top = view.y - h / 2 - cell;
    var cells = {};
    points.forEach(function (p) {
      if (p.x < left || p.x > left + w + 2 * cell || p.y < top || p.y > top + h + 2 * cell) return;
      var key = Math.floor(p.x / cell) + ":" + Math.floor(p.y / cell);
      (cells[key] = cells[key] || []).push(p);
    });
    Object.keys(cells).forEach(function (key) {
      var group = cells[key];
      if (group.length === 1 || group.some(function (p) { return p.main; })) {
        group.forEach(function (p) {
          var dot = el("circle", { cx: p.x, cy: p.y, r: (p.main ? 8 : 6) / view.s, class: "point" + (p.main ? " main" : "") + (marked && p.href === marked ? " marked" : "") });
          dot.__point = p;
          var title = el("title", {});
          title.textContent = p.name;
          dot.appendChild(title);
          pointLayer.appendChild(dot);
        });
        return;
      }
      var x = 0, y = 0;
      group.forEach(function (p) { x += p.x; y += p.y; });
      x /= group.length;
      y /= group.length;
      var r = (11 + Math.min(12, Math.log(group.length) * 3)) / view.s;
      var holds = marked && group.some(function (p) { return p.href === marked; });
      var circle = el("circle", { cx: x, cy: y, r: r, class: holds ? "cluster marked" : "cluster" });
      circle.__cluster = { x: x, y: y };
      pointLayer.appendChild(circle);
      var text = el("text", { x: x, y: y, class: "cluster-count", "font-size": 11 / view.s });
      text.textContent = group.length;
      pointLayer.appendChild(text);
    });
  }
  function setPoints(list) {
    points = list.map(function (p) {
      var xy = project(p.lon, p.lat);
      return { x: xy[0], y: xy[1], lat: p.lat, lon: p.lon, name: p.name, href: p.href, main: p.main, distance: p.distance };
    });
  }

  // --- the search's own area, drawn so that the user sees what filters the results --------
  function drawSearchArea(params) {
    var bbox = params.get("bbox");
    if (bbox) {
      var b = bbox.split(",").map(Number);
      var a = project(b[0], b[3]), c = project(b[2], b[1]);
      areaLayer.appendChild(el("rect", { x: a[0], y: a[1], width: c[0] - a[0], height: c[1] - a[1], class: "area" }));
      return b;
    }
    var near = params.get("near"), radius = Number(params.get("radius_km"));
    if (near && radius) {
      var n = near.split(",").map(Number);
      var dLat = radius / 111.2, dLon = dLat / Math.cos((n[0] * Math.PI) / 180);
      var centre = project(n[1], n[0]);
      areaLayer.appendChild(el("ellipse", { cx: centre[0], cy: centre[1], rx: dLon * K, ry: dLat, class: "area" }));
      return [n[1] - dLon, n[0] - dLat, n[1] + dLon, n[0] + dLat];
    }
    return null;
  }

  // --- controls that set the geographic filters ----------------------------------------
  function go(change) {
    var params = new URLSearchParams(window.location.search);
    ["page", "bbox", "near", "radius_km"].forEach(function (name) { params.delete(name); });
    if (params.get("sort") === "distance") params.delete("sort");
    change(params);
    window.location.href = "/?" + params.toString();
  }
  function searchThisArea() {
    var b = viewBounds();
    go(function (params) {
      params.set("bbox", [b.minLon, b.minLat, b.maxLon, b.maxLat].map(function (v) { return v.toFixed(4); }).join(","));
    });
  }
  function nearMe() {
    if (!navigator.geolocation) {
      status.textContent = words.no_location;
      return;
    }
    var radius = new URLSearchParams(window.location.search).get("radius_km") || "25";
    navigator.geolocation.getCurrentPosition(function (position) {
      go(function (params) {
        params.set("near", position.coords.latitude.toFixed(4) + "," + position.coords.longitude.toFixed(4));
        params.set("radius_km", radius);
        params.set("sort", "distance");
      });
    }, function () { status.textContent = words.no_location; }, { timeout: 10000 });
  }

  // --- results and map together: pointing at a result card marks its place -------------
  var marked = null;
  function mark(href) {
    if (marked === href) return;
    marked = href;
    redraw();
  }
  function linkResults() {
    document.querySelectorAll(".hit").forEach(function (card) {
      var link = card.querySelector("h3 a");
      if (!link) return;
      var href = link.getAttribute("href");
      card.addEventListener("mouseenter", function () { mark(href); });
      card.addEventListener("mouseleave", function () { mark(null); });
      link.addEventListener("focus", function () { mark(href); });
      link.addEventListener("blur", function () { mark(null); });
    });
  }

  // --- loading -------------------------------------------------------------------------
  var ALBANIA = [19.26, 39.64, 21.07, 42.67];
  var params = new URLSearchParams(search || "");
  // Boundaries are cached by the browser; the counts and points come with each search.
  var loads = [json("/api/v1/units.geojson"), json("/api/v1/units.geojson?level=county")];
  if (search !== undefined) {
    loads.push(json("/api/v1/search.geojson?limit=1000&" + search));
    loads.push(json("/api/v1/search?facets=units&limit=1&" + search));
  }
  Promise.all(loads).then(function (results) {
    if (search !== undefined) {
      var counts = {};
      (results[3].facets.units || []).forEach(function (v) { counts[v.value] = v.count; });
      results[0].features.forEach(function (f) { f.properties.count = counts[f.id] || 0; });
    }
    drawUnits(results[0], search !== undefined);
    drawCounties(results[1]);
    var bounds = drawSearchArea(params);
    if (inlinePoints) {
      setPoints(inlinePoints);
    } else {
      var hits = results[2];
      setPoints(hits.features.map(function (f) {
        var kind = f.properties.type === "network" ? "/networks/" : "/organisations/";
        return {
          lon: f.geometry.coordinates[0], lat: f.geometry.coordinates[1], name: f.properties.name,
          href: kind + encodeURIComponent(f.properties.id) + (english ? "?lang=en" : ""),
          distance: f.properties.distance_km,
        };
      }));
      if (hits.total > hits.features.length) {
        status.textContent = words.showing.replace("{shown}", hits.features.length).replace("{total}", hits.total);
      }
    }
    element.dataset.ready = "true";
    if (bounds) {
      fit(bounds[0], bounds[1], bounds[2], bounds[3]);
    } else if (points.length) {
      // Where the results are, with some room around them, never closer than a town.
      var lons = points.map(function (p) { return p.lon; });
      var lats = points.map(function (p) { return p.lat; });
      var pad = 0.08;
      fit(Math.max(Math.min.apply(null, lons) - pad, ALBANIA[0] - 1),
        Math.max(Math.min.apply(null, lats) - pad, ALBANIA[1] - 1),
        Math.min(Math.max.apply(null, lons) + pad, ALBANIA[2] + 1),
        Math.min(Math.max.apply(null, lats) + pad, ALBANIA[3] + 1));
    } else {
      fit(ALBANIA[0], ALBANIA[1], ALBANIA[2], ALBANIA[3]);
    }
    linkResults();
  }).catch(function (error) {
    status.textContent = String(error.message || error);
  });
  window.addEventListener("resize", redraw);
})();
