// The playground: everything shown is computed by softmax-wasm itself (softmax for the bars and
// the entropy, a sampler with processed logprobs for the kept set, createSampler for the draws).
import { createSampler, getBackend, softmax } from "../dist/index.js";

const $ = (id) => document.getElementById(id);
const { examples } = await (await fetch("./examples.json")).json();
let tokens = [], logits = new Float32Array(0);

for (const [i, e] of examples.entries()) $("example").add(new Option(e.name, String(i)));

function load(list, names) {
  logits = Float32Array.from(list, (v) => (v === null ? -Infinity : v));
  tokens = names ?? list.map((_, i) => `#${i}`);
  render();
}

const options = () => ({
  temperature: Number($("temperature").value),
  topK: Number($("topK").value),
  topP: Number($("topP").value),
  minP: Number($("minP").value),
});

function render() {
  const o = options();
  for (const k of ["temperature", "topK", "topP", "minP"]) $(`${k}-v`).textContent = String(o[k]);
  const p = softmax(logits, { temperature: o.temperature });
  // The kept set and its renormalised probabilities: processed logprobs (finite = kept).
  const r = createSampler({ ...o, seed: 1, logprobs: Math.min(20, logits.length), logprobsMode: "processed" }).sample(logits);
  const kept = new Map(r.topLogprobs.filter((t) => t.logprob > -Infinity).map((t) => [t.token, Math.exp(t.logprob)]));
  let h = 0;
  for (const v of p) if (v > 0) h -= v * Math.log(v);
  $("entropy").textContent = h.toFixed(3);
  $("kept").textContent = `${kept.size} of ${logits.length}`;
  $("backend").textContent = getBackend().name;
  $("bars").replaceChildren(...Array.from(p, (v, i) => {
    const row = document.createElement("div");
    row.className = "row" + (kept.has(i) ? "" : " dropped");
    row.dataset.p = String(v);
    row.innerHTML = `<span>${tokens[i] ?? "#" + i}</span><div class="bar" style="width:${(v * 100).toFixed(2)}%"></div><span>${v.toFixed(4)}</span>`;
    row.title = kept.has(i) ? `kept; after the filters p = ${kept.get(i).toFixed(4)}` : "dropped by the filters";
    return row;
  }));
  drawCurves(o.temperature);
}

function drawCurves(t) {
  const W = 360, H = 260, L = 36, B = 24, pw = W - L - 10, ph = H - B - 10;
  const path = (T) => Array.from({ length: 81 }, (_, i) => {
    const z = -4 + i / 20;
    const y = T === 0 ? (z === 0 ? 1 : 0) : Math.exp(z / T);
    return `${i ? "L" : "M"}${(L + ((z + 4) / 4) * pw).toFixed(1)},${(10 + ph - y * ph).toFixed(1)}`;
  }).join("");
  const fixed = [[0.5, "#bbb"], [1, "#999"], [2, "#777"]];
  $("curves").innerHTML =
    `<line x1="${L}" y1="${10 + ph}" x2="${L + pw}" y2="${10 + ph}" stroke="#333"/><line x1="${L}" y1="10" x2="${L}" y2="${10 + ph}" stroke="#333"/>` +
    `<text x="${L - 4}" y="14" text-anchor="end" font-size="11">1</text><text x="${L - 4}" y="${10 + ph}" text-anchor="end" font-size="11">0</text>` +
    `<text x="${L}" y="${H - 6}" font-size="11">z = −4</text><text x="${L + pw}" y="${H - 6}" text-anchor="end" font-size="11">0</text>` +
    fixed.map(([T, c]) => `<path d="${path(T)}" fill="none" stroke="${c}" stroke-dasharray="4 3"/><text x="${(L + 0.75 * pw - 30).toFixed(1)}" y="${(10 + ph - Math.exp(-1 / T) * ph - 4).toFixed(1)}" font-size="10" fill="${c}">T=${T}</text>`).join("") +
    `<path d="${path(t)}" fill="none" stroke="#d62728" stroke-width="2.5"/><text x="${L + pw - 4}" y="24" text-anchor="end" font-size="12" fill="#d62728">T = ${t}</text>`;
}

$("example").addEventListener("change", () => { const e = examples[Number($("example").value)]; load(e.logits, e.tokens); });
$("custom").addEventListener("change", () => {
  try {
    const list = JSON.parse($("custom").value);
    if (!Array.isArray(list) || list.length === 0) throw new Error("not a non-empty array");
    load(list);
  } catch (e) {
    $("samples").textContent = `cannot read those logits: ${e.message}`;
  }
});
for (const k of ["temperature", "topK", "topP", "minP"]) $(k).addEventListener("input", render);
$("sample").addEventListener("click", () => {
  const s = createSampler({ ...options(), seed: Number($("seed").value) });
  $("samples").textContent = Array.from({ length: 20 }, () => tokens[s.sample(logits).token]).join(" ");
});

load(examples[0].logits, examples[0].tokens);
window.playgroundReady = true;
