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

  return { projector, ringPath, polygons, tiles };
})();
