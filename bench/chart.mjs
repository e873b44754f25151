// A self-contained SVG line chart of benchmark results: ns/element (log scale) by vocabulary
// size, one line per method. No dependencies; the README embeds the file it writes.

const COLORS = ["#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/**
 * @param {{ V: number, method: string, nsPerElement: number }[]} results
 * @param {{ title?: string, subtitle?: string }} [labels]
 * @returns {string} the SVG document
 */
export function chartSvg(results, labels = {}) {
  const methods = [...new Set(results.map((r) => r.method))];
  const sizes = [...new Set(results.map((r) => r.V))].sort((a, b) => a - b);
  const values = results.map((r) => r.nsPerElement).filter((v) => v > 0);
  const W = 760, H = 420, left = 70, right = 230, top = 56, bottom = 50;
  const pw = W - left - right, ph = H - top - bottom;
  const lo = Math.floor(Math.log10(Math.min(...values))), hi = Math.ceil(Math.log10(Math.max(...values)));
  const y = (v) => top + ph - ((Math.log10(v) - lo) / Math.max(1, hi - lo)) * ph;
  const x = (V) => left + (sizes.length === 1 ? pw / 2 : (sizes.indexOf(V) / (sizes.length - 1)) * pw);
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  out.push(`<text x="${left}" y="22" font-size="15" font-weight="600">${esc(labels.title ?? "softmax, ns per element (lower is better)")}</text>`);
  if (labels.subtitle) out.push(`<text x="${left}" y="40" fill="#555">${esc(labels.subtitle)}</text>`);
  for (let e = lo; e <= hi; e++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      if (Math.log10(v) > hi) continue;
      out.push(`<line x1="${left}" x2="${left + pw}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="${m === 1 ? "#ccc" : "#eee"}"/>`);
      out.push(`<text x="${left - 8}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" fill="#555">${v >= 1 ? v : v.toPrecision(1)}</text>`);
    }
  }
  for (const V of sizes) out.push(`<text x="${x(V).toFixed(1)}" y="${top + ph + 20}" text-anchor="middle" fill="#555">${V.toLocaleString("en-US")}</text>`);
  out.push(`<text x="${left + pw / 2}" y="${H - 10}" text-anchor="middle" fill="#333">vocabulary size V</text>`);
  out.push(`<text transform="translate(16 ${top + ph / 2}) rotate(-90)" text-anchor="middle" fill="#333">ns / element (log scale)</text>`);
  methods.forEach((method, i) => {
    const color = COLORS[i % COLORS.length];
    const pts = sizes.map((V) => results.find((r) => r.V === V && r.method === method)).filter(Boolean);
    out.push(`<g><title>${esc(method)}</title>`);
    out.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.map((r) => `${x(r.V).toFixed(1)},${y(r.nsPerElement).toFixed(1)}`).join(" ")}"/>`);
    for (const r of pts) out.push(`<circle cx="${x(r.V).toFixed(1)}" cy="${y(r.nsPerElement).toFixed(1)}" r="3" fill="${color}"/>`);
    out.push(`</g>`);
    const ly = top + 8 + i * 20;
    out.push(`<line x1="${left + pw + 16}" x2="${left + pw + 36}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2"/>`);
    out.push(`<text x="${left + pw + 42}" y="${ly + 4}">${esc(method)}</text>`);
  });
  out.push(`</svg>`);
  return out.join("\n") + "\n";
}
