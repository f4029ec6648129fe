/**
 * Why a code was suggested, as DOM (never HTML strings): the matched phrase and that rule's
 * track record, the words that weighed most, the nearest coded example with its document,
 * and how much evidence the score rests on.
 */

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

const pct = (x) => `${Math.round(Number(x) * 100)}%`;

function ruleLine(rule) {
  const li = el("li", "why-rule");
  li.append("Matched ", el("q", "why-phrase", rule.phrase || rule.pattern || ""));
  const source = rule.source ? ` (from the code's ${rule.source})` : "";
  const record = rule.accepted !== undefined || rule.rejected !== undefined
    ? ` · this rule: ${rule.accepted || 0} accepted, ${rule.rejected || 0} rejected`
    : "";
  const precision = rule.precision !== undefined && rule.precision !== null
    ? ` (precision ${pct(rule.precision)})` : "";
  li.append(el("span", "muted", `${source}${record}${precision}`));
  return li;
}

function wordsLine(words) {
  const li = el("li", "why-words");
  li.append("Words that weighed most: ");
  words.slice(0, 6).forEach((w, i) => {
    const word = Array.isArray(w) ? w[0] : (w.word || w.term || String(w));
    if (i) li.append(", ");
    li.append(el("span", "why-word", word));
  });
  return li;
}

function nearestLine(nearest) {
  const li = el("li", "why-nearest");
  const similarity = nearest.similarity !== undefined ? ` (similarity ${pct(nearest.similarity)})` : "";
  li.append(`Nearest coded example${similarity}: `);
  li.append(el("q", "why-example", nearest.text || ""));
  if (nearest.document) li.append(el("span", "muted", ` — ${nearest.document}`));
  return li;
}

/** The rationale as a list element (empty list when there is nothing to say). */
export function renderRationale(rationale) {
  const list = el("ul", "why");
  if (!rationale || typeof rationale !== "object") return list;
  const rules = rationale.rules || (rationale.rule ? [rationale.rule] : []);
  for (const rule of rules) list.append(ruleLine(rule));
  const words = rationale.words || rationale.top_words || [];
  if (words.length) list.append(wordsLine(words));
  if (rationale.nearest && rationale.nearest.text) list.append(nearestLine(rationale.nearest));
  if (rationale.question) {
    const li = el("li", "why-question");
    li.append("Asked: ", el("q", null, rationale.question));
    list.append(li);
  }
  const evidence = rationale.evidence !== undefined ? rationale.evidence : rationale.examples;
  if (evidence !== undefined) {
    list.append(el("li", "why-evidence muted", `Based on ${evidence} coded example${evidence === 1 ? "" : "s"} of this code`));
  }
  return list;
}

/** A one-line summary (for tooltips and compact rows). */
export function rationaleSummary(rationale) {
  if (!rationale) return "";
  const rule = (rationale.rules || [])[0] || rationale.rule;
  if (rule && (rule.phrase || rule.pattern)) return `matched “${rule.phrase || rule.pattern}”`;
  const words = rationale.words || rationale.top_words || [];
  if (words.length) return `words: ${words.slice(0, 3).map((w) => (Array.isArray(w) ? w[0] : w.word || w)).join(", ")}`;
  if (rationale.nearest && rationale.nearest.text) return "like a coded example";
  return "";
}

/**
 * The score as the coder should read it: a probability once the code's scores are calibrated
 * ("72%"), else a coarse label with the evidence it rests on ("medium · 4 examples").
 */
export function confidenceBadge(s) {
  const calibrated = /%$/.test(s.confidence || "");
  const evidence = s.rationale && s.rationale.evidence;
  let text = s.confidence || `${Math.round(s.score * 100)}%`;
  if (!calibrated && evidence !== undefined) text += ` · ${evidence} example${evidence === 1 ? "" : "s"}`;
  return el("span", `badge conf ${calibrated ? "conf-calibrated" : `conf-${s.confidence || "none"}`}`, text);
}
