// The pages' maps: a Web Mercator fit of a lon/lat box into an SVG view,
// polygon paths, and optional base-map tiles from the deployment's own map
// server (a `{z}/{x}/{y}` template from the server's settings). Without a
// template nothing is fetched: the map is only what the pages draw.
"use strict";

const MapView = (() => {
  const mercY = (lat) => {
    const p = (Math.max(-85.05, Math.min(85.05, lat)) * Math.PI) / 180;
    return (1 - Math.log(Math.tan(p) + 1 / Math.cos(p)) / Math.PI) / 2;
  };
  const mercX = (lon) => (lon + 180) / 360;

  /// A projection of `bbox` [w, s, e, n] into a `width` × `height` view:
  /// `proj([lon, lat]) -> [x, y]`, with `proj.invert([x, y])` and, for
  /// tiles, the scale and offset in Web Mercator world units.
  function projector(bbox, width = 1000, height = 720, margin = 20) {
    const [x0, y0, x1, y1] = bbox;
    const wx0 = mercX(x0), wx1 = mercX(x1), wy0 = mercY(y1), wy1 = mercY(y0);
    const s = Math.min((width - 2 * margin) / Math.max(1e-12, wx1 - wx0), (height - 2 * margin) / Math.max(1e-12, wy1 - wy0));
    const ox = (width - (wx1 - wx0) * s) / 2 - wx0 * s, oy = (height - (wy1 - wy0) * s) / 2 - wy0 * s;
    const proj = ([lon, lat]) => [ox + mercX(lon) * s, oy + mercY(lat) * s];
    proj.invert = ([x, y]) => {
      const wx = (x - ox) / s, wy = (y - oy) / s;
      const lat = (Math.atan(Math.sinh(Math.PI * (1 - 2 * wy))) * 180) / Math.PI;
      return [wx * 360 - 180, lat];
    };
    Object.assign(proj, { scale: s, ox, oy, width, height });
    return proj;
  }

  function ringPath(ring, proj) {
    return ring.map((p, i) => { const [x, y] = proj(p); return (i ? "L" : "M") + x.toFixed(1) + " " + y.toFixed(1); }).join("") + "Z";
  }

  function polygons(geom) {
    if (!geom) return [];
    return geom.type === "Polygon" ? [geom.coordinates] : geom.type === "MultiPolygon" ? geom.coordinates : [];
  }

  /// Base-map tiles covering the view, drawn into `g` (first, so that the
  /// pages' layers lie over them). Returns how many were placed.
  function tiles(g, proj, template) {
    if (!template) return 0;
    const NS = "http://www.w3.org/2000/svg";
    const z = Math.max(0, Math.min(19, Math.round(Math.log2(proj.scale / 256))));
    const n = 2 ** z, size = proj.scale / n;
    const wx = (x) => (x - proj.ox) / proj.scale, wy = (y) => (y - proj.oy) / proj.scale;
    const tx0 = Math.max(0, Math.floor(wx(0) * n)), tx1 = Math.min(n - 1, Math.floor(wx(proj.width) * n));
    const ty0 = Math.max(0, Math.floor(wy(0) * n)), ty1 = Math.min(n - 1, Math.floor(wy(proj.height) * n));
    const layer = document.createElementNS(NS, "g");
    layer.setAttribute("class", "tiles");
    let placed = 0;
    for (let ty = ty0; ty <= ty1 && placed < 400; ty++) {
      for (let tx = tx0; tx <= tx1 && placed < 400; tx++) {
        const img = document.createElementNS(NS, "image");
        img.setAttribute("href", template.replace("{z}", z).replace("{x}", tx).replace("{y}", ty));
        img.setAttribute("x", (proj.ox + tx * size).toFixed(2));
        img.setAttribute("y", (proj.oy + ty * size).toFixed(2));
        img.setAttribute("width", size.toFixed(2));
        img.setAttribute("height", size.toFixed(2));
        img.setAttribute("preserveAspectRatio", "none");
        layer.appendChild(img);
        placed++;
      }
    }
    g.insertBefore(layer, g.firstChild);
    return placed;
  }

  /// A map to pin a place on: the areas of `features` drawn in `svg` (a
  /// 600 × 400 view; with tiles if `template`), a click or the arrow keys
  /// place the pin (a marker of id `markerId`), Delete clears it;
  /// `onChange([lon, lat] | null)` after each change. Returns `{ set(at), at() }`, or null with no areas to draw.
  /// Whether [lon, lat] lies inside a (Multi)Polygon geometry (even-odd rule over every ring).
  function contains(geom, [x, y]) {
    let inside = false;
    for (const pg of polygons(geom)) {
      for (const ring of pg) {
        for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
          const [xi, yi] = ring[i], [xj, yj] = ring[j];
          if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
        }
      }
    }
    return inside;
  }

  /// The features a point falls in, the smallest area (a community) first.
  function locate(features, at) {
    const order = { grid: 0, village: 1, town: 2, district: 3 };
    return features.filter((f) => contains(f.geometry, at))
      .sort((a, b) => (order[a.properties.level] ?? 9) - (order[b.properties.level] ?? 9));
  }

  const NS = "http://www.w3.org/2000/svg";
  const bboxOf = (features) => {
    const pts = features.flatMap((f) => polygons(f.geometry).flat(2));
    return pts.length ? [Math.min(...pts.map((p) => p[0])), Math.min(...pts.map((p) => p[1])), Math.max(...pts.map((p) => p[0])), Math.max(...pts.map((p) => p[1]))] : null;
  };

  /// The pin marker at `at`, drawn into `layer`.
  function marker(layer, proj, at, id) {
    const [x, y] = proj(at);
    const m = document.createElementNS(NS, "path");
    m.setAttribute("d", `M${x},${y}l-7,-14a8,8 0 1,1 14,0z`);
    m.setAttribute("class", "pin-marker");
    m.setAttribute("id", id);
    layer.appendChild(m);
  }

  /// Towns under their communities, the towns named at their middle.
  function drawAreas(svg, features, proj, template) {
    const g = document.createElementNS(NS, "g");
    svg.appendChild(g);
    const towns = features.filter((f) => f.properties.level !== "village");
    for (const f of [...towns, ...features.filter((f) => f.properties.level === "village")]) {
      const path = document.createElementNS(NS, "path");
      path.setAttribute("d", polygons(f.geometry).map((pg) => pg.map((r) => ringPath(r, proj)).join("")).join(""));
      path.setAttribute("class", f.properties.level === "village" ? "village-area" : "town-area");
      const title = document.createElementNS(NS, "title");
      // In the page's language: the labels' `names(lang)` switches it.
      title.setAttribute("class", "area-title");
      title.dataset.zh = f.properties.name_zh;
      title.dataset.en = f.properties.name_en;
      title.textContent = f.properties.name_zh;
      path.appendChild(title);
      g.appendChild(path);
    }
    for (const f of towns) {
      const ring = polygons(f.geometry).flat(1).sort((a, b) => b.length - a.length)[0];
      if (!ring) continue;
      const xs = ring.map((p) => proj(p)), cx = xs.reduce((s, p) => s + p[0], 0) / xs.length, cy = xs.reduce((s, p) => s + p[1], 0) / xs.length;
      const label = document.createElementNS(NS, "text");
      Object.entries({ x: cx.toFixed(1), y: cy.toFixed(1), class: "area-label", "text-anchor": "middle", "aria-hidden": "true" }).forEach(([k, v]) => label.setAttribute(k, v));
      label.dataset.zh = f.properties.name_zh;
      label.dataset.en = f.properties.name_en;
      label.textContent = f.properties.name_zh;
      g.appendChild(label);
    }
    tiles(g, proj, template);
  }

  function pinPicker(svg, features, template, onChange, markerId = "pin-marker") {
    const bbox = bboxOf(features);
    if (!bbox) return null;
    const proj = projector(bbox, 600, 400, 10);
    drawAreas(svg, features, proj, template);
    const layer = document.createElementNS(NS, "g");
    svg.appendChild(layer);
    let at = null;
    const set = (next) => {
      at = next;
      layer.innerHTML = "";
      if (at) marker(layer, proj, at, markerId);
      onChange(at);
    };
    svg.onclick = (e) => {
      const pt = svg.createSVGPoint(); pt.x = e.clientX; pt.y = e.clientY;
      const p = pt.matrixTransform(svg.getScreenCTM().inverse());
      set(proj.invert([p.x, p.y]));
    };
    svg.onkeydown = (e) => {
      const moves = { ArrowLeft: [-8, 0], ArrowRight: [8, 0], ArrowUp: [0, -8], ArrowDown: [0, 8] };
      if (e.key === "Delete" || e.key === "Backspace") { e.preventDefault(); set(null); return; }
      if (e.key === "Enter" && !at) { e.preventDefault(); set(proj.invert([300, 200])); return; }
      const m = moves[e.key];
      if (!m) return;
      e.preventDefault();
      const [x, y] = at ? proj(at) : [300, 200];
      set(proj.invert([x + m[0], y + m[1]]));
    };
    /// Shows the areas' names in a language ("zh" or "en").
    const names = (lang) => svg.querySelectorAll("text.area-label, title.area-title").forEach((l) => { l.textContent = lang === "zh" ? l.dataset.zh : l.dataset.en; });
    return { set, at: () => at, names };
  }

  /// A small picture of where `at` lies: the town around it with its
  /// communities and the pin, nothing to click. Null when `at` lies in no
  /// area on the map.
  function placeMap(svg, features, at, template, lang) {
    const town = locate(features, at).find((f) => f.properties.level !== "village");
    if (!town) return null;
    // Fitted to the town; the neighbours' edges fall outside the view.
    const proj = projector(bboxOf([town]), 300, 200, 6);
    drawAreas(svg, features, proj, template);
    marker(svg, proj, at, "place-marker");
    svg.querySelectorAll("text.area-label, title.area-title").forEach((l) => { l.textContent = lang === "zh" ? l.dataset.zh : l.dataset.en; });
    return town;
  }

  return { projector, ringPath, polygons, tiles, pinPicker, placeMap, locate };
})();
